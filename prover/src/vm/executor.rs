//! The RV32IM interpreter: [`Executor`] runs a [`Program`] cycle by cycle
//! over the pre-decoded code, optionally appending a [`Step`] per cycle to
//! the execution log, and can be snapshotted and resumed exactly.

use super::decode::Op;
use super::error::ExecError;
use super::log::Step;
use super::memory::{Memory, Page};
use super::program::Program;
use super::{INPUT_ADDR, STACK_TOP, SYSCALL_COMMIT, SYSCALL_HALT};
use crate::memtag::{self, Tag};

/// Register numbers the machine conventions use.
const SP: usize = 2;

/// Where a [`Executor::run_for`] call left the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// The cycle budget ran out before a halt.
    Running,
    /// The program halted (now or earlier) with this exit code.
    Halted {
        /// `a0` at the halting `ECALL`.
        exit_code: u32,
    },
}

/// The complete machine state between two cycles. An executor resumed from
/// it (with the same program) continues exactly as the original would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The next instruction's address.
    pub pc: u32,
    /// Registers x0..x31.
    pub regs: [u32; 32],
    /// Cycles executed so far.
    pub cycles: u64,
    /// Words committed so far.
    pub public_output: Vec<u32>,
    /// `Some(exit code)` once halted.
    pub exit_code: Option<u32>,
    /// Every written page as `(page number, contents)`, by page number.
    pub pages: Vec<(u32, Box<Page>)>,
}

/// An RV32IM machine running one program.
#[derive(Debug)]
pub struct Executor<'p> {
    program: &'p Program,
    regs: [u32; 32],
    pc: u32,
    cycles: u64,
    memory: Memory,
    output: Vec<u32>,
    exit_code: Option<u32>,
    log: Option<Vec<Step>>,
}

impl<'p> Executor<'p> {
    /// A machine at the program's entry with its segments loaded, `input`
    /// at [`INPUT_ADDR`] (count first), `sp` at [`STACK_TOP`], logging off.
    pub fn new(program: &'p Program, input: &[u32]) -> Executor<'p> {
        let mut memory = Memory::new();
        for segment in program.segments() {
            memory.store_bytes(segment.vaddr, &segment.data);
        }
        let mut addr = INPUT_ADDR;
        for word in std::iter::once(input.len() as u32).chain(input.iter().copied()) {
            memory.store_word(addr, word);
            addr = addr.wrapping_add(4);
        }
        let mut regs = [0; 32];
        regs[SP] = STACK_TOP;
        Executor {
            program,
            regs,
            pc: program.entry(),
            cycles: 0,
            memory,
            output: Vec::new(),
            exit_code: None,
            log: None,
        }
    }

    /// A machine continuing from `snapshot`, logging off.
    pub fn resume(program: &'p Program, snapshot: Snapshot) -> Executor<'p> {
        Executor {
            program,
            regs: snapshot.regs,
            pc: snapshot.pc,
            cycles: snapshot.cycles,
            memory: Memory::from_pages(&snapshot.pages),
            output: snapshot.public_output,
            exit_code: snapshot.exit_code,
            log: None,
        }
    }

    /// Captures the full machine state (not the log).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            pc: self.pc,
            regs: self.regs,
            cycles: self.cycles,
            public_output: self.output.clone(),
            exit_code: self.exit_code,
            pages: self.memory.pages(),
        }
    }

    /// Turns the execution log on (keeping what it has) or off (dropping it).
    pub fn set_logging(&mut self, on: bool) {
        match (on, self.log.is_some()) {
            (true, false) => self.log = Some(Vec::new()),
            (false, true) => self.log = None,
            _ => {}
        }
    }

    /// Builder form of [`Executor::set_logging`].
    pub fn with_logging(mut self, on: bool) -> Self {
        self.set_logging(on);
        self
    }

    /// Turns logging on, appending to `buffer` after clearing it: recycles
    /// an earlier log's allocation (e.g. one epoch's, after it is consumed),
    /// which spares the page faults of fresh memory.
    pub fn with_log_buffer(mut self, mut buffer: Vec<Step>) -> Self {
        buffer.clear();
        self.log = Some(buffer);
        self
    }

    /// Whether steps are being logged.
    pub fn logging(&self) -> bool {
        self.log.is_some()
    }

    /// Reserves room for `additional` more steps in the log (if logging).
    pub fn reserve_log(&mut self, additional: usize) {
        if let Some(log) = &mut self.log {
            let _tag = memtag::scope(Tag::ExecutionLog);
            log.reserve(additional);
        }
    }

    /// The steps logged since logging was turned on or the log last taken.
    pub fn log(&self) -> Option<&[Step]> {
        self.log.as_deref()
    }

    /// Takes the log so far, leaving an empty one (logging stays on).
    pub fn take_log(&mut self) -> Option<Vec<Step>> {
        self.log.as_mut().map(std::mem::take)
    }

    /// The program being run.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// The next instruction's address.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Cycles (instructions) executed so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Registers x0..x31.
    pub fn registers(&self) -> &[u32; 32] {
        &self.regs
    }

    /// The machine's memory.
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// Words committed so far.
    pub fn public_output(&self) -> &[u32] {
        &self.output
    }

    /// `Some(exit code)` once halted.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_code
    }

    /// Runs at most `max_cycles` instructions, stopping early at a halt. On
    /// an error the failing instruction is not executed and the machine
    /// stays at it. A halted machine runs no further.
    pub fn run_for(&mut self, max_cycles: u64) -> Result<RunState, ExecError> {
        if let Some(exit_code) = self.exit_code {
            return Ok(RunState::Halted { exit_code });
        }
        match self.log.take() {
            Some(mut log) => {
                let result = self.run_inner::<true>(max_cycles, &mut log);
                self.log = Some(log);
                result
            }
            None => self.run_inner::<false>(max_cycles, &mut Vec::new()),
        }
    }

    /// The interpreter loop, monomorphised with and without logging.
    #[inline(never)]
    fn run_inner<const LOG: bool>(
        &mut self,
        max_cycles: u64,
        log: &mut Vec<Step>,
    ) -> Result<RunState, ExecError> {
        let program: &'p Program = self.program;
        let code = program.code();
        let base = program.code_base();
        let regs = &mut self.regs;
        let mem = &mut self.memory;
        let output = &mut self.output;
        let mut pc = self.pc;
        let mut cycles = self.cycles;
        let end = cycles.saturating_add(max_cycles);

        let result = loop {
            if cycles == end {
                break Ok(RunState::Running);
            }
            let Some(instr) = code.get((pc.wrapping_sub(base) >> 2) as usize) else {
                break Err(ExecError::PcOutsideCode { pc });
            };
            let d = instr.decoded;
            let insn = instr.word;
            let a = regs[usize::from(d.rs1) & 31];
            let b = regs[usize::from(d.rs2) & 31];
            let mut next = pc.wrapping_add(4);
            let mut mem_addr = 0;
            let mut mem_val = 0;

            macro_rules! jump {
                ($target:expr) => {{
                    let target: u32 = $target;
                    if target & 3 != 0 {
                        break Err(ExecError::MisalignedJump { pc, insn, target });
                    }
                    next = target;
                }};
            }
            macro_rules! branch {
                ($cond:expr) => {{
                    if $cond {
                        jump!(pc.wrapping_add(d.imm));
                    }
                    0
                }};
            }
            macro_rules! byte_addr {
                () => {{
                    mem_addr = a.wrapping_add(d.imm);
                    mem_addr
                }};
            }
            macro_rules! addr {
                ($width:expr) => {{
                    let addr = a.wrapping_add(d.imm);
                    if addr & ($width - 1) != 0 {
                        break Err(ExecError::MisalignedAccess {
                            pc,
                            insn,
                            addr,
                            width: $width,
                        });
                    }
                    mem_addr = addr;
                    addr
                }};
            }

            let value: u32 = match d.op {
                Op::Lui => d.imm,
                Op::Auipc => pc.wrapping_add(d.imm),
                Op::Jal => {
                    jump!(pc.wrapping_add(d.imm));
                    pc.wrapping_add(4)
                }
                Op::Jalr => {
                    jump!(a.wrapping_add(d.imm) & !1);
                    pc.wrapping_add(4)
                }
                Op::Beq => branch!(a == b),
                Op::Bne => branch!(a != b),
                Op::Blt => branch!((a as i32) < (b as i32)),
                Op::Bge => branch!((a as i32) >= (b as i32)),
                Op::Bltu => branch!(a < b),
                Op::Bgeu => branch!(a >= b),
                Op::Lb => {
                    let addr = byte_addr!();
                    mem_val = mem.load_word(addr);
                    (mem_val >> ((addr & 3) * 8)) as u8 as i8 as i32 as u32
                }
                Op::Lbu => {
                    let addr = byte_addr!();
                    mem_val = mem.load_word(addr);
                    u32::from((mem_val >> ((addr & 3) * 8)) as u8)
                }
                Op::Lh => {
                    let addr = addr!(2);
                    mem_val = mem.load_word(addr);
                    (mem_val >> ((addr & 2) * 8)) as u16 as i16 as i32 as u32
                }
                Op::Lhu => {
                    let addr = addr!(2);
                    mem_val = mem.load_word(addr);
                    u32::from((mem_val >> ((addr & 2) * 8)) as u16)
                }
                Op::Lw => {
                    let addr = addr!(4);
                    mem_val = mem.load_word(addr);
                    mem_val
                }
                Op::Sb => {
                    let addr = byte_addr!();
                    let shift = (addr & 3) * 8;
                    mem_val = (mem.load_word(addr) & !(0xff << shift)) | ((b & 0xff) << shift);
                    mem.store_word(addr, mem_val);
                    0
                }
                Op::Sh => {
                    let addr = addr!(2);
                    let shift = (addr & 2) * 8;
                    mem_val = (mem.load_word(addr) & !(0xffff << shift)) | ((b & 0xffff) << shift);
                    mem.store_word(addr, mem_val);
                    0
                }
                Op::Sw => {
                    let addr = addr!(4);
                    mem_val = b;
                    mem.store_word(addr, b);
                    0
                }
                Op::Addi => a.wrapping_add(d.imm),
                Op::Slti => u32::from((a as i32) < (d.imm as i32)),
                Op::Sltiu => u32::from(a < d.imm),
                Op::Xori => a ^ d.imm,
                Op::Ori => a | d.imm,
                Op::Andi => a & d.imm,
                Op::Slli => a.wrapping_shl(d.imm),
                Op::Srli => a.wrapping_shr(d.imm),
                Op::Srai => (a as i32).wrapping_shr(d.imm) as u32,
                Op::Add => a.wrapping_add(b),
                Op::Sub => a.wrapping_sub(b),
                Op::Sll => a.wrapping_shl(b),
                Op::Slt => u32::from((a as i32) < (b as i32)),
                Op::Sltu => u32::from(a < b),
                Op::Xor => a ^ b,
                Op::Srl => a.wrapping_shr(b),
                Op::Sra => (a as i32).wrapping_shr(b) as u32,
                Op::Or => a | b,
                Op::And => a & b,
                Op::Mul => a.wrapping_mul(b),
                Op::Mulh => ((i64::from(a as i32) * i64::from(b as i32)) >> 32) as u32,
                Op::Mulhsu => ((i64::from(a as i32) * i64::from(b)) >> 32) as u32,
                Op::Mulhu => ((u64::from(a) * u64::from(b)) >> 32) as u32,
                Op::Div if b == 0 => u32::MAX,
                Op::Div => (a as i32).wrapping_div(b as i32) as u32,
                Op::Divu if b == 0 => u32::MAX,
                Op::Divu => a / b,
                Op::Rem if b == 0 => a,
                Op::Rem => (a as i32).wrapping_rem(b as i32) as u32,
                Op::Remu if b == 0 => a,
                Op::Remu => a % b,
                Op::Fence => 0,
                Op::Ecall => match a {
                    SYSCALL_COMMIT => {
                        output.push(b);
                        0
                    }
                    SYSCALL_HALT => {
                        if LOG {
                            grow_tagged(log);
                            log.push(step(pc, insn, a, b, 0, 0, 0));
                        }
                        cycles += 1;
                        self.exit_code = Some(b);
                        break Ok(RunState::Halted { exit_code: b });
                    }
                    number => break Err(ExecError::UnknownSyscall { pc, insn, number }),
                },
                Op::Illegal => break Err(ExecError::IllegalInstruction { pc, insn }),
            };
            let rd = usize::from(d.rd) & 31;
            regs[rd] = value;
            regs[0] = 0;
            if LOG {
                grow_tagged(log);
                log.push(step(pc, insn, a, b, regs[rd], mem_addr, mem_val));
            }
            cycles += 1;
            pc = next;
        };
        self.pc = pc;
        self.cycles = cycles;
        result
    }
}

#[inline(always)]
fn step(
    pc: u32,
    insn: u32,
    rs1_val: u32,
    rs2_val: u32,
    rd_val: u32,
    mem_addr: u32,
    mem_val: u32,
) -> Step {
    Step {
        pc,
        insn,
        rs1_val,
        rs2_val,
        rd_val,
        mem_addr,
        mem_val,
    }
}

/// Grows a full log (amortised doubling, as `push` would) with the log's heap tag; the
/// branch is taken once per doubling.
#[inline(always)]
fn grow_tagged(log: &mut Vec<Step>) {
    if log.len() == log.capacity() {
        grow_log(log);
    }
}

#[cold]
#[inline(never)]
fn grow_log(log: &mut Vec<Step>) {
    let _tag = memtag::scope(Tag::ExecutionLog);
    log.reserve(1);
}
