//! Snapshot and resume: a run cut at any cycle and resumed from a snapshot
//! reproduces the straight run's log, output and final state exactly.

use prover::fixtures::Catalogue;
use prover::vm::{Executor, Program, RunState, Step};

fn fixture(name: &str) -> (Program, Vec<u32>) {
    let catalogue = Catalogue::load_default().unwrap();
    let f = catalogue.get(name).unwrap();
    (catalogue.program(f).unwrap(), f.input.clone())
}

#[test]
fn resumed_runs_reproduce_the_log() {
    for name in ["bytesort_small", "modexp_small", "collatz_small"] {
        let (program, input) = fixture(name);
        let mut full = Executor::new(&program, &input).with_logging(true);
        let state = full.run_for(u64::MAX).unwrap();
        assert!(matches!(state, RunState::Halted { exit_code: 0 }));
        let log = full.take_log().unwrap();
        let cycles = full.cycles();
        assert_eq!(log.len() as u64, cycles);
        let end = full.snapshot();

        for cut in [0, 1, 17, cycles / 3, cycles / 2 + 1, cycles - 1, cycles] {
            let mut first = Executor::new(&program, &input).with_logging(true);
            let state = first.run_for(cut).unwrap();
            assert_eq!(first.cycles(), cut, "{name} cut {cut}");
            assert_eq!(state == RunState::Running, cut < cycles, "{name} cut {cut}");
            let snapshot = first.snapshot();
            let mut resumed = Executor::resume(&program, snapshot.clone()).with_logging(true);
            assert_eq!(resumed.snapshot(), snapshot, "{name}: resume round trip");
            let state = resumed.run_for(u64::MAX).unwrap();
            assert_eq!(state, RunState::Halted { exit_code: 0 });

            let mut joined = first.take_log().unwrap();
            joined.extend(resumed.take_log().unwrap());
            assert!(joined == log, "{name}: log differs when cut at cycle {cut}");
            assert_eq!(resumed.snapshot(), end, "{name} cut {cut}: final state");
        }
    }
}

#[test]
fn epochs_of_run_for_concatenate_to_the_full_log() {
    let (program, input) = fixture("bytesort_small");
    let mut full = Executor::new(&program, &input).with_logging(true);
    full.run_for(u64::MAX).unwrap();
    let log = full.take_log().unwrap();

    let mut joined = Vec::new();
    let mut snapshot = Executor::new(&program, &input).snapshot();
    let mut epochs = 0;
    loop {
        let mut ex = Executor::resume(&program, snapshot).with_logging(true);
        let state = ex.run_for(250).unwrap();
        let part = ex.take_log().unwrap();
        assert!(part.len() <= 250);
        joined.extend(part);
        snapshot = ex.snapshot();
        epochs += 1;
        if let RunState::Halted { .. } = state {
            break;
        }
    }
    assert_eq!(epochs as u64, (log.len() as u64).div_ceil(250));
    assert!(joined == log);
    assert_eq!(snapshot.public_output, full.public_output());
    assert_eq!(snapshot.exit_code, Some(0));
}

#[test]
fn a_halted_machine_stays_halted() {
    let (program, input) = fixture("collatz_small");
    let mut ex = Executor::new(&program, &input).with_logging(true);
    ex.run_for(u64::MAX).unwrap();
    let cycles = ex.cycles();
    ex.take_log();
    assert_eq!(ex.run_for(10).unwrap(), RunState::Halted { exit_code: 0 });
    assert_eq!(ex.cycles(), cycles);
    assert_eq!(ex.log().map(<[Step]>::len), Some(0));
}

#[test]
fn snapshots_capture_loaded_and_written_memory() {
    let (program, input) = fixture("bytesort_small");
    let mut ex = Executor::new(&program, &input);
    let at_start = ex.snapshot();
    // Code page and input page.
    let pages: Vec<u32> = at_start.pages.iter().map(|(p, _)| *p).collect();
    assert!(pages.contains(&(0x10000 >> 12)) && pages.contains(&(0x4000_0000 >> 12)));
    ex.run_for(1000).unwrap();
    let later = ex.snapshot();
    assert_ne!(
        later.pages, at_start.pages,
        "the fill loop wrote the buffer"
    );
    assert_ne!(later.regs, at_start.regs);
    assert_eq!(later.cycles, 1000);
}
