//! The instruction mix of a run: how many executed instructions fall in each [`Class`] (ALU,
//! shifts, MUL, DIV, loads and stores by width, branches, jumps, upper immediates, system),
//! and how many of each [`Op`], counted from the execution log.
//!
//! The classes follow what a proof pays for, not the ISA manual's chapters: shifts are
//! apart from the rest of the ALU (their own table), MUL and DIV are apart from each other
//! (two tables), and loads and stores are split by width (a byte or half access pays the
//! byte decomposition an aligned word does not). `LUI` and `AUIPC` are `upper`; `ECALL` and
//! `FENCE` are `system`.

use crate::vm::{Op, Step, decode::decode};

/// What kind of work one instruction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// ADD, SUB, SLT(U), XOR, OR, AND and their immediate forms.
    Alu,
    /// SLL, SRL, SRA and their immediate forms.
    Shift,
    /// MUL, MULH, MULHSU, MULHU.
    Mul,
    /// DIV, DIVU, REM, REMU.
    Div,
    /// LB, LBU.
    LoadByte,
    /// LH, LHU.
    LoadHalf,
    /// LW.
    LoadWord,
    /// SB.
    StoreByte,
    /// SH.
    StoreHalf,
    /// SW.
    StoreWord,
    /// BEQ, BNE, BLT, BGE, BLTU, BGEU.
    Branch,
    /// JAL, JALR.
    Jump,
    /// LUI, AUIPC.
    Upper,
    /// ECALL, FENCE.
    System,
}

impl Class {
    /// Every class, in the order reports list them.
    pub const ALL: [Class; 14] = [
        Class::Alu,
        Class::Shift,
        Class::Mul,
        Class::Div,
        Class::LoadByte,
        Class::LoadHalf,
        Class::LoadWord,
        Class::StoreByte,
        Class::StoreHalf,
        Class::StoreWord,
        Class::Branch,
        Class::Jump,
        Class::Upper,
        Class::System,
    ];

    /// The class's stable name (`alu`, `load_byte`, ...), as reports and JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            Class::Alu => "alu",
            Class::Shift => "shift",
            Class::Mul => "mul",
            Class::Div => "div",
            Class::LoadByte => "load_byte",
            Class::LoadHalf => "load_half",
            Class::LoadWord => "load_word",
            Class::StoreByte => "store_byte",
            Class::StoreHalf => "store_half",
            Class::StoreWord => "store_word",
            Class::Branch => "branch",
            Class::Jump => "jump",
            Class::Upper => "upper",
            Class::System => "system",
        }
    }

    /// The class of `op`; `None` for [`Op::Illegal`] (never executed: the executor stops).
    pub fn of(op: Op) -> Option<Class> {
        Some(match op {
            Op::Add
            | Op::Sub
            | Op::Slt
            | Op::Sltu
            | Op::Xor
            | Op::Or
            | Op::And
            | Op::Addi
            | Op::Slti
            | Op::Sltiu
            | Op::Xori
            | Op::Ori
            | Op::Andi => Class::Alu,
            Op::Sll | Op::Srl | Op::Sra | Op::Slli | Op::Srli | Op::Srai => Class::Shift,
            Op::Mul | Op::Mulh | Op::Mulhsu | Op::Mulhu => Class::Mul,
            Op::Div | Op::Divu | Op::Rem | Op::Remu => Class::Div,
            Op::Lb | Op::Lbu => Class::LoadByte,
            Op::Lh | Op::Lhu => Class::LoadHalf,
            Op::Lw => Class::LoadWord,
            Op::Sb => Class::StoreByte,
            Op::Sh => Class::StoreHalf,
            Op::Sw => Class::StoreWord,
            Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => Class::Branch,
            Op::Jal | Op::Jalr => Class::Jump,
            Op::Lui | Op::Auipc => Class::Upper,
            Op::Ecall | Op::Fence => Class::System,
            Op::Illegal => return None,
        })
    }
}

/// Every executable [`Op`], in declaration order (`OPS[i] as usize == i`).
pub const OPS: [Op; 47] = [
    Op::Lui,
    Op::Auipc,
    Op::Jal,
    Op::Jalr,
    Op::Beq,
    Op::Bne,
    Op::Blt,
    Op::Bge,
    Op::Bltu,
    Op::Bgeu,
    Op::Lb,
    Op::Lh,
    Op::Lw,
    Op::Lbu,
    Op::Lhu,
    Op::Sb,
    Op::Sh,
    Op::Sw,
    Op::Addi,
    Op::Slti,
    Op::Sltiu,
    Op::Xori,
    Op::Ori,
    Op::Andi,
    Op::Slli,
    Op::Srli,
    Op::Srai,
    Op::Add,
    Op::Sub,
    Op::Sll,
    Op::Slt,
    Op::Sltu,
    Op::Xor,
    Op::Srl,
    Op::Sra,
    Op::Or,
    Op::And,
    Op::Fence,
    Op::Ecall,
    Op::Mul,
    Op::Mulh,
    Op::Mulhsu,
    Op::Mulhu,
    Op::Div,
    Op::Divu,
    Op::Rem,
    Op::Remu,
];

/// Executed instructions per [`Op`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mix {
    by_op: [u64; OPS.len()],
}

impl Mix {
    /// Counts the instructions of an execution log (each step's word decoded again).
    pub fn of_log(log: &[Step]) -> Mix {
        Mix::of_ops(log.iter().map(|s| decode(s.insn).op))
    }

    /// Counts a sequence of executed ops ([`Op::Illegal`] is not counted: it never runs).
    pub fn of_ops(ops: impl IntoIterator<Item = Op>) -> Mix {
        let mut by_op = [0u64; OPS.len()];
        for op in ops {
            if op != Op::Illegal {
                by_op[op as usize] += 1;
            }
        }
        Mix { by_op }
    }

    /// Instructions counted.
    pub fn total(&self) -> u64 {
        self.by_op.iter().sum()
    }

    /// Executions of `op`.
    pub fn count(&self, op: Op) -> u64 {
        if op == Op::Illegal {
            0
        } else {
            self.by_op[op as usize]
        }
    }

    /// Executions per class, every class of [`Class::ALL`] in order (zeros included).
    pub fn by_class(&self) -> Vec<(Class, u64)> {
        let mut counts = [0u64; Class::ALL.len()];
        for (op, n) in self.by_op() {
            let class = Class::of(op).expect("OPS holds no illegal op");
            counts[class as usize] += n;
        }
        Class::ALL.iter().copied().zip(counts).collect()
    }

    /// Executions per op, the ops that ran only, in [`OPS`] order.
    pub fn by_op(&self) -> impl Iterator<Item = (Op, u64)> + '_ {
        OPS.iter()
            .copied()
            .zip(self.by_op.iter().copied())
            .filter(|&(_, n)| n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_listed_at_their_discriminant_and_each_has_a_class() {
        for (i, &op) in OPS.iter().enumerate() {
            assert_eq!(op as usize, i, "{op:?}");
            assert!(Class::of(op).is_some(), "{op:?}");
        }
        assert_eq!(Op::Illegal as usize, OPS.len());
        assert_eq!(Class::of(Op::Illegal), None);
        for (i, &c) in Class::ALL.iter().enumerate() {
            assert_eq!(c as usize, i, "{c:?}");
        }
    }

    #[test]
    fn classes_by_width_and_table() {
        assert_eq!(Class::of(Op::Lbu), Some(Class::LoadByte));
        assert_eq!(Class::of(Op::Lhu), Some(Class::LoadHalf));
        assert_eq!(Class::of(Op::Sh), Some(Class::StoreHalf));
        assert_eq!(Class::of(Op::Srai), Some(Class::Shift));
        assert_eq!(Class::of(Op::Sltiu), Some(Class::Alu));
        assert_eq!(Class::of(Op::Mulhsu), Some(Class::Mul));
        assert_eq!(Class::of(Op::Remu), Some(Class::Div));
        assert_eq!(Class::of(Op::Auipc), Some(Class::Upper));
        assert_eq!(Class::of(Op::Jalr), Some(Class::Jump));
        assert_eq!(Class::of(Op::Fence), Some(Class::System));
        let names: std::collections::HashSet<&str> = Class::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Class::ALL.len());
    }

    #[test]
    fn counts_sum_per_class_and_skip_illegal() {
        let mix = Mix::of_ops([
            Op::Add,
            Op::Addi,
            Op::Lw,
            Op::Lb,
            Op::Lbu,
            Op::Sw,
            Op::Bne,
            Op::Bne,
            Op::Mul,
            Op::Ecall,
            Op::Illegal,
        ]);
        assert_eq!(mix.total(), 10);
        assert_eq!(mix.count(Op::Bne), 2);
        assert_eq!(mix.count(Op::Illegal), 0);
        let by_class: std::collections::HashMap<Class, u64> = mix.by_class().into_iter().collect();
        assert_eq!(by_class[&Class::Alu], 2);
        assert_eq!(by_class[&Class::LoadByte], 2);
        assert_eq!(by_class[&Class::LoadWord], 1);
        assert_eq!(by_class[&Class::Branch], 2);
        assert_eq!(by_class[&Class::Div], 0);
        assert_eq!(mix.by_class().len(), Class::ALL.len());
        assert_eq!(
            mix.by_class().iter().map(|(_, n)| n).sum::<u64>(),
            mix.total()
        );
        let ops: Vec<Op> = mix.by_op().map(|(op, _)| op).collect();
        assert_eq!(
            ops,
            vec![
                Op::Bne,
                Op::Lb,
                Op::Lw,
                Op::Lbu,
                Op::Sw,
                Op::Addi,
                Op::Add,
                Op::Ecall,
                Op::Mul
            ]
        );
    }

    #[test]
    fn a_log_is_decoded_word_by_word() {
        // addi a0, a0, 1 ; add a0, a0, a1 ; lbu a0, 0(a1) ; ecall
        let words = [0x0015_0513u32, 0x00b5_0533, 0x0005_c503, 0x0000_0073];
        let log: Vec<Step> = words
            .iter()
            .map(|&insn| Step {
                insn,
                ..Step::default()
            })
            .collect();
        let mix = Mix::of_log(&log);
        assert_eq!(mix.count(Op::Addi), 1);
        assert_eq!(mix.count(Op::Add), 1);
        assert_eq!(mix.count(Op::Lbu), 1);
        assert_eq!(mix.count(Op::Ecall), 1);
        assert_eq!(mix.total(), 4);
    }
}
