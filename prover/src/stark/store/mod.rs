//! What the prover keeps of each instance between phases, and how it gets back what was
//! dropped. The store carries out the [`Policy`] (what each kind of buffer is kept for, the
//! modes as data; the mode table in ARCHITECTURE.md is rendered from it): it asks the policy
//! and never reads the plan's flags. Every phase asks the store for traces and LDEs and
//! receives them borrowed (resident) or owned (recomputed for this use, freed when the
//! caller drops them).
//!
//! The mechanics, one module each:
//!
//! * `parts`: what is kept of one instance (each commitment's tree and resident LDE, kept
//!   traces and coefficients);
//! * `fetch`: rows back from the source, aux traces built or rebuilt, whole LDEs;
//! * `commit`: Phase A, Phase C and Round 2 for one instance;
//! * `blocks`: a dropped LDE one coset block at a time (Round 2, and Phase A's block-wise
//!   commitment);
//! * `pieces`: Rounds 3 and 4 on the traces, a piece of rows at a time;
//! * `openings`: the queried rows and paths, gathered from traces and coefficients;
//! * `spare`: the spare buffers of Rounds 2, 3 and 4, the fetched and rebuilt traces' pages
//!   kept for the next instance.
//!
//! Rebuilt traces go through the same code as the first computation
//! ([`logup::build_aux_trace`](crate::stark::logup::build_aux_trace), the source). A dropped
//! LDE never comes back whole: Round 2 makes it one coset block at a time, and the openings
//! gather only the rows of the queried leaf subtrees, a column slab's LDE at a time
//! ([`opened::gather`](crate::stark::opened::gather)). Both give the same field elements as
//! the rows of the whole LDE, which the domain and `opened` tests and every mode's identical
//! proof bytes check.

mod blocks;
mod commit;
mod fetch;
mod openings;
mod parts;
mod pieces;
mod spare;

pub use openings::Handed;
pub use parts::{AuxPart, Committed, MainPart, QuotientPart};

use p3_matrix::dense::RowMajorMatrix;

use super::air::Air;
use super::domain::Lde;
use super::field::{Ext, Felt};
use super::logup::LogupChallenges;
use super::memory_model;
use super::params::StarkParams;
use super::plan::MemoryPlan;
use super::policy::Policy;
use super::setup::{Layout, PreCommitted};
use super::trace::{Instance, TraceSource};
use parts::Pre;

type Mat = RowMajorMatrix<Felt>;

/// Everything kept of one instance.
#[derive(Debug)]
struct Kept {
    main: MainPart,
    aux: Option<AuxPart>,
    quotient: Option<QuotientPart>,
}

/// The per-instance store of one prove.
pub struct InstanceStore<'a, A> {
    airs: &'a [A],
    source: &'a dyn TraceSource,
    layout: &'a Layout,
    params: &'a StarkParams,
    policy: Policy,
    lde: &'a Lde,
    public: &'a [Felt],
    pre: Vec<Option<Pre>>,
    kept: Vec<Kept>,
    challenges: Option<LogupChallenges>,
    spares: spare::Spares,
}

impl<A> std::fmt::Debug for InstanceStore<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceStore")
            .field("policy", &self.policy)
            .field("instances", &self.kept.len())
            .finish_non_exhaustive()
    }
}

/// Everything the store reads but does not own.
#[derive(Clone, Copy)]
pub struct StoreInputs<'a, A> {
    /// The tables.
    pub airs: &'a [A],
    /// Where main traces come from.
    pub source: &'a dyn TraceSource,
    /// Instances, widths, buckets.
    pub layout: &'a Layout,
    /// Proof parameters.
    pub params: &'a StarkParams,
    /// What to keep.
    pub plan: MemoryPlan,
    /// The NTT engine.
    pub lde: &'a Lde,
    /// Public values.
    pub public: &'a [Felt],
}

impl<A> std::fmt::Debug for StoreInputs<'_, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreInputs")
            .field("plan", &self.plan)
            .finish_non_exhaustive()
    }
}

impl<'a, A: Air> InstanceStore<'a, A> {
    /// A store holding the preprocessed commitments (as the plan's [`Policy`] keeps them)
    /// and nothing else.
    pub fn new(inputs: StoreInputs<'a, A>, pre: Vec<Option<PreCommitted>>) -> Self {
        // The layout's policy, with the memory model's choices (Phase A's copies).
        let policy = memory_model::policy_for(&memory_model::stark_input(
            inputs.layout,
            inputs.params,
            &inputs.plan,
        ));
        let pre = pre
            .into_iter()
            .map(|p| {
                p.map(|p| Pre {
                    trace: p.trace,
                    committed: Committed::new(p.lde, p.tree, &policy),
                })
            })
            .collect();
        Self {
            airs: inputs.airs,
            source: inputs.source,
            layout: inputs.layout,
            params: inputs.params,
            policy,
            lde: inputs.lde,
            public: inputs.public,
            pre,
            kept: Vec::new(),
            challenges: None,
            spares: spare::Spares::default(),
        }
    }

    fn inst(&self, k: usize) -> &Instance {
        &self.layout.instances[k]
    }

    fn air(&self, k: usize) -> &A {
        &self.airs[self.inst(k).table]
    }

    /// Records Phase A's results, in instance order.
    pub fn set_main(&mut self, mains: Vec<MainPart>) {
        debug_assert!(self.kept.is_empty());
        self.kept = mains
            .into_iter()
            .map(|main| Kept {
                main,
                aux: None,
                quotient: None,
            })
            .collect();
    }

    /// Sets the LogUp challenges (before Phase C).
    pub fn set_challenges(&mut self, challenges: LogupChallenges) {
        self.challenges = Some(challenges);
    }

    /// Records instance `k`'s Phase C result.
    pub fn set_aux(&mut self, k: usize, aux: AuxPart) {
        self.kept[k].aux = Some(aux);
    }

    /// Records instance `k`'s Round 2 result, keeping the aux coefficients it gives back.
    pub fn set_quotient(&mut self, k: usize, mut q: QuotientPart) {
        if let Some(coeffs) = q.aux_coeffs.take() {
            self.kept[k]
                .aux
                .as_mut()
                .expect("aux coefficients come back only for an instance with aux")
                .coeffs = Some(coeffs);
        }
        self.kept[k].quotient = Some(q);
    }

    /// Whether every committed LDE stays resident ([`Policy::ldes_resident`]): then Rounds
    /// 3 and 4 read the LDEs, and the traces are not needed after Phase C.
    pub fn ldes_resident(&self) -> bool {
        self.policy.ldes_resident()
    }

    /// Before Phase C: when the policy holds the main traces to Phase C
    /// ([`Policy::hands_main_to_phase_c`]), hands them over (one per instance, `None` where
    /// none is kept), since Phase C is their last use; otherwise hands over nothing (Rounds
    /// 3 and 4 read the traces). The caller
    /// gives each to [`InstanceStore::commit_aux`], which frees it once the aux trace is
    /// built, and drops the rest: nothing after Phase C reads them, since the out-of-domain
    /// values and the DEEP combination come from the LDEs, which give the same field
    /// elements.
    pub fn hand_over_traces(&mut self) -> Vec<Option<Mat>> {
        self.kept
            .iter_mut()
            .map(|kept| {
                if self.policy.hands_main_to_phase_c() {
                    kept.main.trace.take()
                } else {
                    None
                }
            })
            .collect()
    }

    /// Before Round 2: hands the kept aux coefficients over (one per instance, `None` where
    /// none; kept under [`Policy::keeps_aux_traces`]), so that Round 2 makes the LDE blocks in their
    /// own buffer and turns the last one back into them ([`Lde::block_to_coeffs`]) instead
    /// of holding a block beside them; [`InstanceStore::set_quotient`] keeps them again.
    /// Costs two transforms per column more than blocks made from a copy (the next block
    /// from the last, then back), for one aux block less at Round 2's peak.
    pub fn hand_over_for_round2(&mut self) -> Vec<Option<Mat>> {
        self.kept
            .iter_mut()
            .map(|kept| kept.aux.as_mut().and_then(|a| a.coeffs.take()))
            .collect()
    }

    /// Instance `k`'s resident LDEs in commitment order (preprocessed, main, aux,
    /// quotient), or `None` when they are not all resident. What Round 4 combines when
    /// [`InstanceStore::ldes_resident`].
    pub fn resident_ldes(&self, k: usize) -> Option<Vec<&Mat>> {
        let kept = &self.kept[k];
        let mut out = Vec::with_capacity(4);
        if let Some(p) = &self.pre[k] {
            out.push(p.committed.lde.as_ref()?);
        }
        out.push(kept.main.committed.lde.as_ref()?);
        if let Some(a) = &kept.aux {
            out.push(a.committed.lde.as_ref()?);
        }
        out.push(kept.quotient.as_ref()?.committed.lde.as_ref()?);
        Some(out)
    }

    /// Ends Phase C: when nothing asks the source for rows again
    /// ([`Policy::releases_source_after_phase_c`]), it may free what it rebuilds them from
    /// ([`TraceSource::release`]).
    pub fn end_phase_c(&self) {
        if self.policy.releases_source_after_phase_c() {
            self.source.release();
        }
    }

    /// Ends Round 3: frees the quotients' coefficients where the policy holds them to here
    /// ([`Policy::frees_quotient_coeffs_after_round3`]: Round 4 and the openings read the
    /// resident quotient LDEs).
    pub fn end_round3(&mut self) {
        if self.policy.frees_quotient_coeffs_after_round3() {
            for q in self.kept.iter_mut().filter_map(|k| k.quotient.as_mut()) {
                q.coeffs = None;
            }
        }
    }

    /// Whether instance `k`'s dropped LDEs come back a coset block at a time (Round 2) and
    /// as gathered subtrees (the openings), rather than whole ([`Policy::by_blocks`]).
    fn by_blocks(&self, k: usize) -> bool {
        self.policy.by_blocks(self.inst(k).log_height)
    }

    /// Main roots, in instance order.
    pub fn main_roots(&self) -> Vec<[u8; 32]> {
        self.kept.iter().map(|k| k.main.root()).collect()
    }

    /// Aux roots and LogUp sums of the instances with a bus, in instance order.
    pub fn aux_roots_and_sums(&self) -> (Vec<[u8; 32]>, Vec<Ext>) {
        self.kept
            .iter()
            .filter_map(|k| k.aux.as_ref())
            .map(|a| (a.root(), a.sum))
            .unzip()
    }

    /// Quotient roots, in instance order.
    pub fn quotient_roots(&self) -> Vec<[u8; 32]> {
        self.kept
            .iter()
            .map(|k| k.quotient.as_ref().expect("Round 2 ran").root())
            .collect()
    }
}
