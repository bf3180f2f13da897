//! The zkVM tables: one module per table (columns, constraints, buses, trace builder), and
//! the bus contract between them in [`bus`].

pub mod bus;
pub mod cpu;
pub mod memory;
pub mod program;
pub mod witness;

/// Implements [`Air`](crate::stark::Air) for an enum of tables by delegating every method to
/// the variant's table.
#[macro_export]
macro_rules! delegate_air {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl $crate::stark::Air for $name {
            fn name(&self) -> &str {
                match self { $($name::$variant(a) => a.name(),)+ }
            }
            fn main_width(&self) -> usize {
                match self { $($name::$variant(a) => a.main_width(),)+ }
            }
            fn preprocessed_width(&self) -> usize {
                match self { $($name::$variant(a) => a.preprocessed_width(),)+ }
            }
            fn preprocessed_trace(
                &self,
                height: usize,
            ) -> Option<p3_matrix::dense::RowMajorMatrix<$crate::stark::Felt>> {
                match self { $($name::$variant(a) => a.preprocessed_trace(height),)+ }
            }
            fn eval<E: $crate::stark::Expr, C: $crate::stark::Constraints<E>>(
                &self,
                vars: &$crate::stark::Vars<'_, E>,
                out: &mut C,
            ) {
                match self { $($name::$variant(a) => a.eval(vars, out),)+ }
            }
        }
    };
}
