//! `bench`: measures the prover's peak heap and prove time.

fn main() {
    println!("bench: no subcommands yet");
}
