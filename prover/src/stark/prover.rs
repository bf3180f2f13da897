//! The prover. [`prove`] reads as the protocol's numbered phases; each phase is announced to
//! the [`ProveObserver`], and every message goes through the [`Transcript`] in the same order
//! the verifier replays it.
//!
//! Panics only on caller bugs: a [`TraceSource`] whose `rows` disagrees with its own
//! `log_heights`, or an [`Air`] whose `eval` is not straight-line.

use p3_field::{PrimeCharacteristicRing, TwoAdicField};
use p3_matrix::Matrix;
use p3_matrix::dense::RowMajorMatrix;

use super::air::Air;
use super::composition::{self, InstanceLdes, QuotientParts};
use super::deep::{self, DeepCombiner};
use super::domain::{Lde, coset_shift, lde_points, subgroup_weights, weighted_column_sums};
use super::error::ProveError;
use super::field::{Ext, Felt, ext_from_limbs, powers};
use super::fri;
use super::grinding;
use super::logup::{self, LogupChallenges};
use super::merkle::{MerkleTree, hash_leaf};
use super::observer::{Phase, ProveObserver, Target, observed};
use super::params::StarkParams;
use super::proof::{FriProof, OodValues, Proof, QueryProof, RowOpening};
use super::setup::{self, Layout, PreCommitted, Statement};
use super::trace::{Instance, TraceSource};

/// A committed matrix: its LDE (storage order) and Merkle tree.
#[derive(Debug)]
struct Committed {
    lde: RowMajorMatrix<Felt>,
    tree: MerkleTree,
}

impl Committed {
    fn new(lde: RowMajorMatrix<Felt>) -> Self {
        let tree = MerkleTree::commit_rows(&lde.values, lde.width());
        Self { lde, tree }
    }
}

/// The aux side of an instance.
#[derive(Debug)]
struct Aux {
    trace: RowMajorMatrix<Felt>,
    committed: Committed,
    sum: Ext,
}

/// Everything the prover holds for one instance.
#[derive(Debug)]
struct InstanceData {
    trace: RowMajorMatrix<Felt>,
    main: Committed,
    aux: Option<Aux>,
    quotient: Option<(RowMajorMatrix<Felt>, Committed)>,
}

fn target(inst: &Instance) -> Target {
    Target::Instance {
        table: inst.table,
        chunk: inst.chunk,
    }
}

/// Proves that the traces from `source` satisfy `airs` and balance every bus, for
/// `statement`. The proof's bytes depend only on the statement, the traces and `params`.
pub fn prove<A: Air>(
    airs: &[A],
    source: &dyn TraceSource,
    statement: &Statement<'_>,
    params: &StarkParams,
    observer: &dyn ProveObserver,
) -> Result<Proof, ProveError> {
    // 0 ----- setup: parameters, layout, preprocessed commitments, transcript ---------------
    params.validate()?;
    let log_heights = source.log_heights();
    if log_heights.len() != airs.len() {
        return Err(ProveError::TableCount {
            airs: airs.len(),
            traces: log_heights.len(),
        });
    }
    setup::check_heights(airs, &log_heights)?;
    let layout = Layout::new(airs, &log_heights, params, statement.public_values.len())?;
    let lde = Lde::new();
    let pre = setup::commit_preprocessed(airs, &layout, &log_heights, params, &lde)?;
    let pre_roots: Vec<_> = pre
        .iter()
        .map(|p| p.as_ref().map(|p| p.tree.root()))
        .collect();
    let mut transcript = setup::open_transcript(params, statement, airs, &log_heights, &pre_roots);
    let public = statement.public_values;

    // 1 ----- Phase A: build, extend and commit every main trace chunk ----------------------
    let mut data = Vec::with_capacity(layout.instances.len());
    for inst in &layout.instances {
        let air = &airs[inst.table];
        let d = observed(observer, Phase::MainCommit, target(inst), || {
            let trace = source.rows(inst.table, inst.row_start(), inst.height());
            if trace.width() != air.main_width() || trace.height() != inst.height() {
                return Err(ProveError::TraceShape {
                    table: air.name().to_string(),
                    want_width: air.main_width(),
                    want_height: inst.height(),
                    got_width: trace.width(),
                    got_height: trace.height(),
                });
            }
            let main = Committed::new(lde.extend(&trace, params.log_blowup));
            Ok(InstanceData {
                trace,
                main,
                aux: None,
                quotient: None,
            })
        })?;
        transcript.absorb_digest(&d.main.tree.root());
        data.push(d);
    }

    // 2 ----- LogUp challenges ----------------------------------------------------------------
    let beta = transcript.challenge_ext();
    let challenges = LogupChallenges::new(beta, transcript.challenge_ext());

    // 3 ----- Phase C: LogUp aux traces -------------------------------------------------------
    for (k, inst) in layout.instances.iter().enumerate() {
        let info = &layout.infos[inst.table];
        if !info.has_aux() {
            continue;
        }
        let d = &mut data[k];
        let aux = observed(observer, Phase::AuxCommit, target(inst), || {
            let (trace, sum) = logup::build_aux_trace(
                &airs[inst.table],
                info,
                &d.trace,
                pre[k].as_ref().map(|p| &p.trace),
                public,
                &challenges,
            )
            .ok_or(ProveError::UnluckyChallenge("LogUp denominator is zero"))?;
            let committed = Committed::new(lde.extend(&trace, params.log_blowup));
            Ok::<_, ProveError>(Aux {
                trace,
                committed,
                sum,
            })
        })?;
        transcript.absorb_digest(&aux.committed.tree.root());
        transcript.absorb_exts(&[aux.sum]);
        d.aux = Some(aux);
    }

    // 4 ----- Round 2: composition polynomials ------------------------------------------------
    let alpha = transcript.challenge_ext();
    for (k, inst) in layout.instances.iter().enumerate() {
        let info = &layout.infos[inst.table];
        let d = &mut data[k];
        let (coeffs, committed) = observed(observer, Phase::Composition, target(inst), || {
            let alpha_powers = powers(alpha, info.num_folded_constraints());
            let ldes = InstanceLdes {
                log_n: inst.log_height,
                log_blowup: params.log_blowup,
                main: &d.main.lde,
                pre: pre[k].as_ref().map(|p| &p.lde),
                aux: d.aux.as_ref().map(|a| composition::AuxLde {
                    lde: &a.committed.lde,
                    challenges: &challenges,
                    sum: a.sum,
                }),
            };
            let evals =
                composition::evaluate(&airs[inst.table], info, &ldes, public, &alpha_powers);
            let QuotientParts { coeffs, lde: q_lde } =
                composition::split(&lde, evals, inst.log_height, params.log_blowup);
            (coeffs, Committed::new(q_lde))
        });
        transcript.absorb_digest(&committed.tree.root());
        d.quotient = Some((coeffs, committed));
    }

    // 5 ----- Round 3: out-of-domain values ---------------------------------------------------
    let z = transcript.challenge_ext();
    let mut ood = Vec::with_capacity(data.len());
    for (k, inst) in layout.instances.iter().enumerate() {
        let values = observed(observer, Phase::OutOfDomain, target(inst), || {
            ood_values(inst, &data[k], pre[k].as_ref(), z)
        })?;
        absorb_ood(&mut transcript, &values);
        ood.push(values);
    }

    // 6 ----- Round 4: DEEP quotients and one batched FRI per LDE size ------------------------
    let lambda = transcript.challenge_ext();
    let mut fris = Vec::with_capacity(layout.buckets.len());
    for (log_n, members) in &layout.buckets {
        let log_big = log_n + params.log_blowup;
        let fri = observed(
            observer,
            Phase::Fri,
            Target::Bucket {
                log_lde_size: log_big,
            },
            || {
                let delta = transcript.challenge_ext();
                let points = lde_points(coset_shift(), log_big);
                let zw = z * Felt::two_adic_generator(*log_n);
                let mut combined = vec![Ext::ZERO; 1 << log_big];
                let mut scale = Ext::ONE;
                for &k in members {
                    let combiner = DeepCombiner::new(&layout.widths[k], &ood[k], lambda);
                    let segments = segments(&data[k], pre[k].as_ref());
                    let slices: Vec<(&[Felt], usize)> = segments
                        .iter()
                        .map(|c| (&c.lde.values[..], c.lde.width()))
                        .collect();
                    deep::accumulate(&combiner, &slices, &points, z, zw, scale, &mut combined)
                        .map_err(ProveError::UnluckyChallenge)?;
                    scale *= delta;
                }
                drop(points);
                Ok::<_, ProveError>(fri::commit(
                    &lde,
                    combined,
                    log_big,
                    params.num_fri_folds(*log_n),
                    params.log_blowup,
                    &mut transcript,
                ))
            },
        )?;
        fris.push(fri);
    }

    // 7 ----- grinding, then 8 ----- queries and openings -------------------------------------
    let (pow_nonce, fri_proofs) = observed(observer, Phase::Queries, Target::Proof, || {
        let state = transcript.squeeze_digest();
        let nonce = grinding::grind(&state, params.grinding_bits);
        transcript.absorb_u64(nonce);
        let proofs: Vec<FriProof> = layout
            .buckets
            .iter()
            .zip(&fris)
            .map(|((log_n, members), fri)| {
                let log_big = log_n + params.log_blowup;
                let queries = transcript
                    .challenge_indices(log_big, params.num_queries())
                    .into_iter()
                    .map(|q| QueryProof {
                        instances: members
                            .iter()
                            .map(|&k| {
                                segments(&data[k], pre[k].as_ref())
                                    .iter()
                                    .map(|c| c.open(q))
                                    .collect()
                            })
                            .collect(),
                        layers: fri.open(q),
                    })
                    .collect();
                FriProof {
                    layer_roots: fri.roots(),
                    final_poly: fri.final_poly.clone(),
                    queries,
                }
            })
            .collect();
        (nonce, proofs)
    });

    // 9 ----- the proof object ----------------------------------------------------------------
    let aux_of = |d: &InstanceData| d.aux.as_ref().map(|a| (a.committed.tree.root(), a.sum));
    Ok(Proof {
        log_heights: log_heights.iter().map(|&h| h as u8).collect(),
        main_roots: data.iter().map(|d| d.main.tree.root()).collect(),
        aux_roots: data.iter().filter_map(aux_of).map(|a| a.0).collect(),
        logup_sums: data.iter().filter_map(aux_of).map(|a| a.1).collect(),
        quotient_roots: data
            .iter()
            .map(|d| d.quotient.as_ref().expect("round 2 ran").1.tree.root())
            .collect(),
        ood,
        fri: fri_proofs,
        pow_nonce,
    })
}

/// An instance's committed matrices in commitment order: preprocessed, main, aux, quotient.
fn segments<'a>(d: &'a InstanceData, pre: Option<&'a PreCommitted>) -> Vec<CommittedRef<'a>> {
    let mut out = Vec::with_capacity(4);
    if let Some(p) = pre {
        out.push(CommittedRef {
            lde: &p.lde,
            tree: &p.tree,
        });
    }
    out.push(d.main.as_ref());
    if let Some(a) = &d.aux {
        out.push(a.committed.as_ref());
    }
    out.push(d.quotient.as_ref().expect("round 2 ran").1.as_ref());
    out
}

/// A borrowed view of a committed matrix (preprocessed ones live elsewhere).
struct CommittedRef<'a> {
    lde: &'a RowMajorMatrix<Felt>,
    tree: &'a MerkleTree,
}

impl Committed {
    fn as_ref(&self) -> CommittedRef<'_> {
        CommittedRef {
            lde: &self.lde,
            tree: &self.tree,
        }
    }
}

impl CommittedRef<'_> {
    fn open(&self, r: usize) -> RowOpening {
        let w = self.lde.width();
        let row = |i: usize| &self.lde.values[i * w..(i + 1) * w];
        RowOpening {
            values: row(r).to_vec(),
            path: self.tree.path_with_leaf_sibling(r, hash_leaf(row(r ^ 1))),
        }
    }
}

/// Round 3 for one instance: trace columns at `z` and `z*w` by barycentric evaluation over
/// the trace domain, quotient parts at `z` from their coefficients.
fn ood_values(
    inst: &Instance,
    d: &InstanceData,
    pre: Option<&PreCommitted>,
    z: Ext,
) -> Result<OodValues, ProveError> {
    let degenerate = ProveError::UnluckyChallenge("out-of-domain point inside the trace domain");
    let zw = z * Felt::two_adic_generator(inst.log_height);
    let wz = subgroup_weights(inst.log_height, z).ok_or(degenerate)?;
    let wzw = subgroup_weights(inst.log_height, zw).ok_or(ProveError::UnluckyChallenge(
        "shifted out-of-domain point inside the trace domain",
    ))?;
    let at = |m: &RowMajorMatrix<Felt>, w: &[Ext]| weighted_column_sums(m, w);
    let ext_cols = |limbs: Vec<Ext>| -> Vec<Ext> {
        let u = ext_from_limbs(Felt::ZERO, Felt::ONE);
        limbs.chunks_exact(2).map(|l| l[0] + u * l[1]).collect()
    };
    let (pre_local, pre_next) = match pre {
        Some(p) => (at(&p.trace, &wz), at(&p.trace, &wzw)),
        None => (Vec::new(), Vec::new()),
    };
    let (aux_local, aux_next) = match &d.aux {
        Some(a) => (ext_cols(at(&a.trace, &wz)), ext_cols(at(&a.trace, &wzw))),
        None => (Vec::new(), Vec::new()),
    };
    let quotient = composition::parts_at(&d.quotient.as_ref().expect("round 2 ran").0, z);
    Ok(OodValues {
        pre_local,
        pre_next,
        main_local: at(&d.trace, &wz),
        main_next: at(&d.trace, &wzw),
        aux_local,
        aux_next,
        quotient,
    })
}

/// Absorbs one instance's out-of-domain values (shared with the verifier).
pub(crate) fn absorb_ood(t: &mut super::transcript::Transcript, o: &OodValues) {
    for v in [
        &o.pre_local,
        &o.pre_next,
        &o.main_local,
        &o.main_next,
        &o.aux_local,
        &o.aux_next,
        &o.quotient,
    ] {
        t.absorb_exts(v);
    }
}
