//! The prover. [`prove`] reads as the protocol's numbered phases; each phase is announced to
//! the [`ProveObserver`], and every message goes through the [`Transcript`] in the same order
//! the verifier replays it.
//!
//! What is kept between phases, and how dropped traces and LDEs come back, is the
//! [`InstanceStore`]'s job, following the [`MemoryPlan`]. Within a phase, instances are
//! processed with at most [`MemoryPlan::parallelism`] in flight ([`bounded_map`]); what the
//! transcript absorbs is absorbed afterwards in instance order, so neither the plan nor the
//! parallelism changes the proof.
//!
//! Panics only on caller bugs: a [`TraceSource`] whose `rows` disagrees with its own
//! `heights` (or, with `retire_traces`, returns different rows when asked again), or an
//! [`Air`] whose `eval` is not straight-line.

use p3_field::{PrimeCharacteristicRing, TwoAdicField};

use super::air::Air;
use super::deep::{self, DeepCombiner};
use super::domain::{Lde, coset_shift, lde_points};
use super::error::ProveError;
use super::field::{Ext, Felt};
use super::fri;
use super::grinding;
use super::logup::LogupChallenges;
use super::observer::{Phase, ProveObserver, Target, observed};
use super::params::StarkParams;
use super::plan::MemoryPlan;
use super::proof::{FriProof, OodValues, Proof, QueryProof};
use super::schedule::bounded_map;
use super::setup::{self, Layout, Statement};
use super::store::{InstanceStore, StoreInputs};
use super::trace::{Instance, TraceSource};
use crate::memtag::{self, Tag};

fn target(inst: &Instance) -> Target {
    Target::Instance {
        table: inst.table,
        chunk: inst.chunk,
    }
}

/// Proves that the traces from `source` satisfy `airs` and balance every bus, for
/// `statement`. The proof's bytes depend only on the statement, the traces and `params`;
/// `plan` decides what is kept in memory between phases and how many instances are worked
/// on at once.
pub fn prove<A: Air>(
    airs: &[A],
    source: &dyn TraceSource,
    statement: &Statement<'_>,
    params: &StarkParams,
    plan: &MemoryPlan,
    observer: &dyn ProveObserver,
) -> Result<Proof, ProveError> {
    // 0 ----- setup: parameters, layout, preprocessed commitments, transcript ---------------
    params.validate()?;
    let heights = source.heights();
    if heights.len() != airs.len() {
        return Err(ProveError::TableCount {
            airs: airs.len(),
            traces: heights.len(),
        });
    }
    let infos = setup::air_infos(airs, statement.public_values.len())?;
    setup::check_heights(airs, &infos, &heights, params)?;
    let layout = Layout::with_infos(airs, infos, &heights, params);
    let lde = Lde::new();
    let dropped = plan.merkle_dropped_levels();
    let pre = setup::commit_preprocessed(airs, &layout, &heights, params, &lde, dropped, |p| p)?;
    let pre_roots: Vec<_> = pre
        .iter()
        .map(|p| p.as_ref().map(|p| p.tree.root()))
        .collect();
    let mut transcript = setup::open_transcript(params, statement, airs, &heights, &pre_roots);
    let inputs = StoreInputs {
        airs,
        source,
        layout: &layout,
        params,
        plan: *plan,
        lde: &lde,
        public: statement.public_values,
    };
    let mut store = InstanceStore::new(inputs, pre);
    let k = plan.parallelism();
    let all = layout.instances.len();
    let on = |phase: Phase, i: usize| (phase, target(&layout.instances[i]));

    // 1 ----- Phase A: fetch, extend and commit every main trace chunk ----------------------
    let mains = bounded_map(k, all, |i| {
        let (phase, t) = on(Phase::MainCommit, i);
        observed(observer, phase, t, || store.commit_main(i))
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    for m in &mains {
        transcript.absorb_digest(&m.root());
    }
    store.set_main(mains);
    // Every phase drops the NTT twiddles it made (see `Lde`): none is held through a phase
    // that does not use it.
    lde.forget_twiddles();

    // 2 ----- LogUp challenges ----------------------------------------------------------------
    let beta = transcript.challenge_ext();
    store.set_challenges(LogupChallenges::new(beta, transcript.challenge_ext()));

    // 3 ----- Phase C: LogUp aux traces -------------------------------------------------------
    // With the LDEs resident, nothing after Phase C reads the main traces: each is handed to
    // its instance's aux build and freed there, the rest when Phase C ends.
    let handed: Vec<std::sync::Mutex<Option<_>>> = store
        .hand_over_traces()
        .into_iter()
        .map(std::sync::Mutex::new)
        .collect();
    let with_aux = layout.aux_instances();
    let auxes = bounded_map(k, with_aux.len(), |j| {
        let i = with_aux[j];
        let (phase, t) = on(Phase::AuxCommit, i);
        observed(observer, phase, t, || {
            let last_use = handed[i].lock().expect("no prover thread panicked").take();
            store.commit_aux(i, last_use)
        })
    });
    drop(handed);
    for (&i, aux) in with_aux.iter().zip(auxes) {
        let aux = aux?;
        transcript.absorb_digest(&aux.root());
        transcript.absorb_exts(&[aux.sum]);
        store.set_aux(i, aux);
    }
    store.end_phase_c();
    lde.forget_twiddles();

    // 4 ----- Round 2: composition polynomials ------------------------------------------------
    let alpha = transcript.challenge_ext();
    // Kept aux coefficients are handed over and come back in the parts (see the store).
    let handed: Vec<std::sync::Mutex<Option<_>>> = store
        .hand_over_for_round2()
        .into_iter()
        .map(std::sync::Mutex::new)
        .collect();
    let quotients = bounded_map(k, all, |i| {
        let (phase, t) = on(Phase::Composition, i);
        observed(observer, phase, t, || {
            let aux = handed[i].lock().expect("no prover thread panicked").take();
            store.commit_quotient(i, alpha, aux)
        })
    });
    drop(handed);
    store.free_spares();
    for (i, q) in quotients.into_iter().enumerate() {
        let q = q?;
        transcript.absorb_digest(&q.root());
        store.set_quotient(i, q);
    }
    lde.forget_twiddles();

    // 5 ----- Round 3: out-of-domain values ---------------------------------------------------
    let z = transcript.challenge_ext();
    let ood = bounded_map(k, all, |i| {
        let (phase, t) = on(Phase::OutOfDomain, i);
        observed(observer, phase, t, || store.ood_values(i, z))
    })
    .into_iter()
    .collect::<Result<Vec<OodValues>, _>>()?;
    for values in &ood {
        absorb_ood(&mut transcript, values);
    }
    store.free_spares();
    store.end_round3();

    // 6 ----- Round 4: DEEP quotients and one batched FRI per LDE size ------------------------
    let lambda = transcript.challenge_ext();
    let mut fris = Vec::with_capacity(layout.buckets.len());
    let mut fri_opened = None;
    let last_bucket = layout.buckets.len() - 1;
    for (b, (log_n, members)) in layout.buckets.iter().enumerate() {
        let log_big = log_n + params.log_blowup;
        let bucket = Target::Bucket {
            log_lde_size: log_big,
        };
        observed(observer, Phase::Fri, bucket, || {
            // DEEP combinations and FRI layers; the store tags the columns it fetches and
            // the Merkle trees tag their own layers.
            let _tag = memtag::scope(Tag::FriLayers);
            let delta = transcript.challenge_ext();
            let points = lde_points(coset_shift(), log_big);
            let zw = z * Felt::two_adic_generator(*log_n);
            let combined = if store.ldes_resident() {
                // The LDEs are resident: the DEEP quotient straight on their rows, member by
                // member (scaled by delta^i). The same field elements as combining on the
                // trace domain and extending (`deep` tests both), without the traces.
                let mut combined = vec![Ext::ZERO; 1 << log_big];
                let mut scale = Ext::ONE;
                for &m in members {
                    let ldes = store.resident_ldes(m).expect("resident under this plan");
                    let combiner = DeepCombiner::new(&layout.widths[m], &ood[m], lambda);
                    let slices: Vec<(&[Felt], usize)> =
                        ldes.iter().map(|c| (&c.values[..], c.width)).collect();
                    deep::accumulate(&combiner, &slices, &points, z, zw, scale, &mut combined)
                        .map_err(ProveError::UnluckyChallenge)?;
                    scale *= delta;
                }
                combined
            } else {
                // DEEP is linear in the columns: combine every member's columns on its trace
                // domain (scaled by delta^i), those held as coefficients apart, then extend
                // the two combinations once. Members one after another (each parallel
                // inside): they add into one pair of accumulators.
                let mut acc = vec![[Ext::ZERO; 2]; 1 << log_n];
                let mut from_coeffs = vec![[Ext::ZERO; 2]; 1 << log_n];
                let (mut a_z, mut b_zw) = (Ext::ZERO, Ext::ZERO);
                let mut scale = Ext::ONE;
                for &m in members {
                    let combiner = DeepCombiner::new(&layout.widths[m], &ood[m], lambda);
                    store.combine_on_trace_domain(
                        m,
                        &combiner,
                        scale,
                        (&mut acc, &mut from_coeffs),
                    )?;
                    let (a, b) = combiner.constants();
                    a_z += scale * a;
                    b_zw += scale * b;
                    scale *= delta;
                }
                store.free_spares();
                deep::add_coefficients(&lde, &mut acc, from_coeffs);
                deep::quotient_on_lde(&lde, acc, (a_z, b_zw), params.log_blowup, &points, z, zw)
                    .map_err(ProveError::UnluckyChallenge)?
            };
            drop(points);
            fris.push(fri::commit_with(
                &lde,
                combined,
                log_big,
                params.num_fri_folds(*log_n),
                params.log_blowup,
                &mut transcript,
                plan.merkle_dropped_levels(),
            ));
            if b == last_bucket {
                // 7 ----- grinding, the query indices and the FRI layers' openings close
                // Round 4: each bucket's layers are opened, then freed with their trees, so
                // that none is held while the openings make the traces' LDEs again (the
                // proof puts them after the instances' openings, in the same bytes).
                let _tag = memtag::scope(Tag::Proof);
                let state = transcript.squeeze_digest();
                let nonce = grinding::grind(&state, params.grinding_bits);
                transcript.absorb_u64(nonce);
                let indices: Vec<Vec<usize>> = layout
                    .buckets
                    .iter()
                    .map(|(log_n, _)| {
                        transcript
                            .challenge_indices(log_n + params.log_blowup, params.num_queries())
                    })
                    .collect();
                let parts: Vec<_> = std::mem::take(&mut fris)
                    .into_iter()
                    .zip(&indices)
                    .map(|(fri, queries)| (fri.roots(), fri.open_all(queries), fri.final_poly))
                    .collect();
                fri_opened = Some((nonce, indices, parts));
            }
            Ok::<_, ProveError>(())
        })?;
        lde.forget_twiddles();
    }
    let (nonce, indices, fri_parts) = fri_opened.expect("a proof has at least one bucket");

    // 8 ----- the instances' openings ----------------------------------------------------------
    let (pow_nonce, fri_proofs) = observed(observer, Phase::Queries, Target::Proof, || {
        let _tag = memtag::scope(Tag::Proof);
        let bucket_of = bucket_index(&layout);
        // Per instance, per query: its openings (LDEs recomputed once per instance). The
        // openings are the kept traces' last use: each instance frees its own as it goes,
        // smallest instances first, so that the largest runs with the least kept beside it.
        let handed: Vec<std::sync::Mutex<Option<_>>> = store
            .hand_over_for_openings()
            .into_iter()
            .map(|h| std::sync::Mutex::new(Some(h)))
            .collect();
        let order = smallest_first(&layout);
        let opened = bounded_map(k, all, |j| {
            let i = order[j];
            let h = handed[i].lock().expect("no prover thread panicked").take();
            store.open(i, &indices[bucket_of[i]], h.expect("handed over once"))
        });
        drop(handed);
        let mut openings: Vec<Option<Vec<_>>> = (0..all).map(|_| None).collect();
        for (&i, o) in order.iter().zip(opened) {
            openings[i] = Some(o?);
        }
        let mut openings: Vec<_> = openings
            .into_iter()
            .map(|o| o.expect("every instance opened").into_iter())
            .collect();
        let proofs: Vec<FriProof> = layout
            .buckets
            .iter()
            .zip(fri_parts)
            .map(
                |((_, members), (layer_roots, layers, final_poly))| FriProof {
                    layer_roots,
                    final_poly,
                    queries: layers
                        .into_iter()
                        .map(|layers| QueryProof {
                            instances: members
                                .iter()
                                .map(|&m| openings[m].next().expect("one opening per query"))
                                .collect(),
                            layers,
                        })
                        .collect(),
                },
            )
            .collect();
        Ok::<_, ProveError>((nonce, proofs))
    })?;

    // 9 ----- the proof object ----------------------------------------------------------------
    let _tag = memtag::scope(Tag::Proof);
    let (aux_roots, logup_sums) = store.aux_roots_and_sums();
    Ok(Proof {
        heights: heights.iter().map(|&h| h as u64).collect(),
        main_roots: store.main_roots(),
        aux_roots,
        logup_sums,
        quotient_roots: store.quotient_roots(),
        ood,
        fri: fri_proofs,
        pow_nonce,
    })
}

/// Instance indices by committed cells per row times height, smallest first (ties in
/// instance order).
fn smallest_first(layout: &Layout) -> Vec<usize> {
    let mut order: Vec<usize> = (0..layout.instances.len()).collect();
    order.sort_by_key(|&i| {
        let w = &layout.widths[i];
        (w.pre + w.main + 2 * (w.aux + w.quotient)) << layout.instances[i].log_height
    });
    order
}

/// The bucket of each instance.
fn bucket_index(layout: &Layout) -> Vec<usize> {
    let mut of = vec![0; layout.instances.len()];
    for (b, (_, members)) in layout.buckets.iter().enumerate() {
        for &m in members {
            of[m] = b;
        }
    }
    of
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
