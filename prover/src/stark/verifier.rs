//! The verifier: replays the prover's transcript and checks everything the proof claims.
//!
//! In order: the claimed heights and what they imply, counted with arithmetic alone
//! ([`check_heights`](setup::check_heights): at most
//! [`StarkParams::max_instances`] instances, and no table with transition constraints in
//! more than one chunk), those counts against the proof's own vector lengths
//! ([`check_counts`]), and only then the layout and every nested length ([`check_shape`]):
//! nothing the verifier builds grows with a claimed height before the proof's own bytes
//! back it. Then the LogUp balance, the constraint
//! identity of every instance at the out-of-domain point, the proof of work, and for every
//! query of every batched FRI the Merkle paths of all committed trees, the DEEP combination,
//! each fold and the final polynomial. Malformed proofs give a [`VerifyError`], never a panic:
//! nothing is indexed before its length is checked.

use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};

use super::air::{Air, Vars};
use super::composition::{QUOTIENT_PARTS, recombine};
use super::deep::{self, DeepCombiner};
use super::domain::{Lde, coset_shift, lde_point};
use super::error::VerifyError;
use super::field::{Ext, Felt, powers};
use super::fold::{AuxRow, Divisors, Folder, combine, last_point};
use super::fri::{self, QueryFailure};
use super::grinding;
use super::logup::{self, LogupChallenges};
use super::merkle::{Digest, hash_leaf, verify_path};
use super::params::StarkParams;
use super::plan::DEFAULT_DROPPED_LEVELS;
use super::proof::Proof;
use super::prover::absorb_ood;
use super::setup::{self, Counts, Layout, Statement};

fn shape(what: impl Into<String>, expected: usize, got: usize) -> Result<(), VerifyError> {
    if expected == got {
        Ok(())
    } else {
        Err(VerifyError::Shape {
            what: what.into(),
            expected,
            got,
        })
    }
}

/// Checks the proof's per-instance and per-bucket vector lengths against the counts the
/// heights imply, before anything per instance is built.
fn check_counts(counts: &Counts, proof: &Proof) -> Result<(), VerifyError> {
    shape("main_roots", counts.instances, proof.main_roots.len())?;
    shape("aux_roots", counts.aux_instances, proof.aux_roots.len())?;
    shape("logup_sums", counts.aux_instances, proof.logup_sums.len())?;
    shape(
        "quotient_roots",
        counts.instances,
        proof.quotient_roots.len(),
    )?;
    shape("ood", counts.instances, proof.ood.len())?;
    shape("fri", counts.buckets, proof.fri.len())
}

/// Checks every length in the proof against what the layout implies.
fn check_shape(layout: &Layout, params: &StarkParams, proof: &Proof) -> Result<(), VerifyError> {
    let n_inst = layout.instances.len();
    let n_aux = layout.aux_instances().len();
    shape("main_roots", n_inst, proof.main_roots.len())?;
    shape("aux_roots", n_aux, proof.aux_roots.len())?;
    shape("logup_sums", n_aux, proof.logup_sums.len())?;
    shape("quotient_roots", n_inst, proof.quotient_roots.len())?;
    shape("ood", n_inst, proof.ood.len())?;
    for (k, (o, w)) in proof.ood.iter().zip(&layout.widths).enumerate() {
        let name = |f: &str| format!("ood[{k}].{f}");
        shape(name("pre_local"), w.pre, o.pre_local.len())?;
        shape(name("pre_next"), w.pre, o.pre_next.len())?;
        shape(name("main_local"), w.main, o.main_local.len())?;
        shape(name("main_next"), w.main, o.main_next.len())?;
        shape(name("aux_local"), w.aux, o.aux_local.len())?;
        shape(name("aux_next"), w.aux, o.aux_next.len())?;
        shape(name("quotient"), QUOTIENT_PARTS, o.quotient.len())?;
    }
    shape("fri", layout.buckets.len(), proof.fri.len())?;
    for (b, ((log_n, members), f)) in layout.buckets.iter().zip(&proof.fri).enumerate() {
        let log_big = log_n + params.log_blowup;
        let folds = params.num_fri_folds(*log_n);
        shape(format!("fri[{b}].layer_roots"), folds, f.layer_roots.len())?;
        shape(
            format!("fri[{b}].final_poly"),
            1 << (log_n - folds),
            f.final_poly.len(),
        )?;
        shape(
            format!("fri[{b}].queries"),
            params.num_queries(),
            f.queries.len(),
        )?;
        for (q, query) in f.queries.iter().enumerate() {
            let at = format!("fri[{b}].queries[{q}]");
            shape(
                format!("{at}.instances"),
                members.len(),
                query.instances.len(),
            )?;
            for (m, (&k, openings)) in members.iter().zip(&query.instances).enumerate() {
                let limbs = layout.widths[k].limb_widths();
                shape(format!("{at}.instances[{m}]"), limbs.len(), openings.len())?;
                for (s, (o, w)) in openings.iter().zip(limbs).enumerate() {
                    shape(
                        format!("{at}.instances[{m}][{s}].values"),
                        w,
                        o.values.len(),
                    )?;
                    shape(
                        format!("{at}.instances[{m}][{s}].path"),
                        log_big,
                        o.path.len(),
                    )?;
                }
            }
            shape(format!("{at}.layers"), folds, query.layers.len())?;
            for (j, (_, path)) in query.layers.iter().enumerate() {
                shape(
                    format!("{at}.layers[{j}].path"),
                    log_big - 1 - j,
                    path.len(),
                )?;
            }
        }
    }
    Ok(())
}

/// Verifies a proof given as bytes.
pub fn verify_bytes<A: Air>(
    airs: &[A],
    statement: &Statement<'_>,
    params: &StarkParams,
    bytes: &[u8],
) -> Result<(), VerifyError> {
    let proof = Proof::from_bytes(bytes)?;
    verify(airs, statement, params, &proof)
}

/// Verifies `proof` for `airs` and `statement` under `params`.
pub fn verify<A: Air>(
    airs: &[A],
    statement: &Statement<'_>,
    params: &StarkParams,
    proof: &Proof,
) -> Result<(), VerifyError> {
    // 0 ----- setup: parameters, claimed heights, counts, layout, shapes, preprocessed roots --
    params.validate()?;
    shape("heights", airs.len(), proof.heights.len())?;
    // A height past usize is out of range, and check_heights says so.
    let heights: Vec<usize> = proof
        .heights
        .iter()
        .map(|&h| usize::try_from(h).unwrap_or(usize::MAX))
        .collect();
    let infos = setup::air_infos(airs, statement.public_values.len())?;
    let counts = setup::check_heights(airs, &infos, &heights, params)?;
    check_counts(&counts, proof)?;
    let layout = Layout::with_infos(airs, infos, &heights, params);
    check_shape(&layout, params, proof)?;
    let lde = Lde::new();
    // Heights are checked against the statement above; only the roots are kept.
    let pre_roots: Vec<Option<Digest>> = setup::commit_preprocessed(
        airs,
        &layout,
        &heights,
        params,
        &lde,
        DEFAULT_DROPPED_LEVELS,
        |p| p.tree.root(),
    )?;
    drop(lde);
    let mut transcript = setup::open_transcript(params, statement, airs, &heights, &pre_roots);

    // 1 ----- main roots, 2 ----- LogUp challenges ------------------------------------------
    for root in &proof.main_roots {
        transcript.absorb_digest(root);
    }
    let beta = transcript.challenge_ext();
    let challenges = LogupChallenges::new(beta, transcript.challenge_ext());

    // 3 ----- aux roots and contributions; the buses must balance ----------------------------
    for (root, sum) in proof.aux_roots.iter().zip(&proof.logup_sums) {
        transcript.absorb_digest(root);
        transcript.absorb_exts(&[*sum]);
    }
    let public_terms = logup::public_sum(statement.public_interactions, &challenges)
        .ok_or(VerifyError::Degenerate("public LogUp denominator is zero"))?;
    if proof.logup_sums.iter().copied().sum::<Ext>() + public_terms != Ext::ZERO {
        return Err(VerifyError::LogupImbalance);
    }
    // Where each instance's aux data sits in the aux vectors.
    let mut aux_index = vec![None; layout.instances.len()];
    for (j, k) in layout.aux_instances().into_iter().enumerate() {
        aux_index[k] = Some(j);
    }

    // 4 ----- composition roots, 5 ----- out-of-domain values and the constraint identity ----
    let alpha = transcript.challenge_ext();
    for root in &proof.quotient_roots {
        transcript.absorb_digest(root);
    }
    let z = transcript.challenge_ext();
    for o in &proof.ood {
        absorb_ood(&mut transcript, o);
    }
    let public: Vec<Ext> = statement
        .public_values
        .iter()
        .map(|&v| Ext::from(v))
        .collect();
    for (k, inst) in layout.instances.iter().enumerate() {
        let air = &airs[inst.table];
        let info = &layout.infos[inst.table];
        let o = &proof.ood[k];
        let alpha_powers = powers(alpha, info.num_folded_constraints());
        let mut folder: Folder<'_, Ext> = Folder::new(&alpha_powers);
        let vars = Vars {
            local: &o.main_local,
            next: &o.main_next,
            pre_local: &o.pre_local,
            pre_next: &o.pre_next,
            public: &public,
        };
        let aux = aux_index[k].map(|j| AuxRow {
            local: &o.aux_local,
            next: &o.aux_next,
            challenges: &challenges,
            sum: proof.logup_sums[j],
        });
        let sums = folder.fold(air, info, &vars, aux);
        let last = Ext::from(last_point(inst.log_height));
        let degenerate = VerifyError::Degenerate("out-of-domain point inside the trace domain");
        let d = Divisors {
            inv_vanishing: (z.exp_power_of_2(inst.log_height) - Ext::ONE)
                .try_inverse()
                .ok_or(degenerate)?,
            x_minus_last: z - last,
            inv_x_minus_first: (z - Ext::ONE).try_inverse().ok_or(VerifyError::Degenerate(
                "out-of-domain point is the first row",
            ))?,
            inv_x_minus_last: (z - last).try_inverse().ok_or(VerifyError::Degenerate(
                "out-of-domain point is the last row",
            ))?,
        };
        if combine(&sums, &d) != recombine(&o.quotient, z, inst.log_height) {
            return Err(VerifyError::OodMismatch {
                table: air.name().to_string(),
                chunk: inst.chunk,
            });
        }
    }

    // 6 ----- DEEP challenge, and each bucket's FRI commit phase ------------------------------
    let lambda = transcript.challenge_ext();
    let mut bucket_challenges = Vec::with_capacity(layout.buckets.len());
    for f in &proof.fri {
        let delta = transcript.challenge_ext();
        let betas: Vec<Ext> = f
            .layer_roots
            .iter()
            .map(|r| {
                transcript.absorb_digest(r);
                transcript.challenge_ext()
            })
            .collect();
        transcript.absorb_exts(&f.final_poly);
        bucket_challenges.push((delta, betas));
    }

    // 7 ----- proof of work ---------------------------------------------------------------------
    let state = transcript.squeeze_digest();
    if !grinding::check(&state, proof.pow_nonce, params.grinding_bits) {
        return Err(VerifyError::Grinding {
            nonce: proof.pow_nonce,
            bits: params.grinding_bits,
        });
    }
    transcript.absorb_u64(proof.pow_nonce);

    // 8 ----- queries ---------------------------------------------------------------------------
    for (b, (((log_n, members), f), (delta, betas))) in layout
        .buckets
        .iter()
        .zip(&proof.fri)
        .zip(&bucket_challenges)
        .enumerate()
    {
        let log_big = log_n + params.log_blowup;
        let zw = z * Felt::two_adic_generator(*log_n);
        let combiners: Vec<DeepCombiner> = members
            .iter()
            .map(|&k| DeepCombiner::new(&layout.widths[k], &proof.ood[k], lambda))
            .collect();
        let indices = transcript.challenge_indices(log_big, params.num_queries());
        for (qi, (&q, query)) in indices.iter().zip(&f.queries).enumerate() {
            let x = lde_point(coset_shift(), log_big, q);
            let (inv_xz, inv_xzw) = deep::inverses_at(x, z, zw).ok_or(VerifyError::Degenerate(
                "out-of-domain point inside the LDE domain",
            ))?;
            let mut value = Ext::ZERO;
            let mut scale = Ext::ONE;
            for ((&k, openings), combiner) in members.iter().zip(&query.instances).zip(&combiners) {
                let inst = &layout.instances[k];
                let roots = instance_roots(proof, &pre_roots[k], k, aux_index[k]);
                for (opening, (root, name)) in openings.iter().zip(&roots) {
                    if !verify_path(root, q, hash_leaf(&opening.values), &opening.path) {
                        return Err(VerifyError::MerklePath {
                            bucket: b,
                            query: qi,
                            tree: format!(
                                "table {} chunk {} {name}",
                                airs[inst.table].name(),
                                inst.chunk,
                            ),
                        });
                    }
                }
                let rows = openings.iter().map(|o| &o.values[..]);
                value += scale * combiner.value_at(rows, inv_xz, inv_xzw);
                scale *= *delta;
            }
            fri::verify_query(
                &f.layer_roots,
                betas,
                &f.final_poly,
                &query.layers,
                log_big,
                q,
                value,
            )
            .map_err(|e| match e {
                QueryFailure::Path(j) => VerifyError::MerklePath {
                    bucket: b,
                    query: qi,
                    tree: format!("FRI layer {j}"),
                },
                QueryFailure::Fold(layer) => VerifyError::FriFold {
                    bucket: b,
                    query: qi,
                    layer,
                },
                QueryFailure::Final => VerifyError::FinalPoly {
                    bucket: b,
                    query: qi,
                },
            })?;
        }
    }
    Ok(())
}

/// The roots of instance `k`'s committed trees with their names, in commitment order.
fn instance_roots(
    proof: &Proof,
    pre_root: &Option<Digest>,
    k: usize,
    aux: Option<usize>,
) -> Vec<(Digest, &'static str)> {
    let mut roots = Vec::with_capacity(4);
    roots.extend(pre_root.map(|r| (r, "preprocessed")));
    roots.push((proof.main_roots[k], "main"));
    roots.extend(aux.map(|j| (proof.aux_roots[j], "aux")));
    roots.push((proof.quotient_roots[k], "quotient"));
    roots
}
