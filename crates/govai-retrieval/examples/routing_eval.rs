//! Held-out accuracy of the built-in k-NN ticket router on the shipped split.
//!
//! `cargo run -p govai-retrieval --example routing_eval`

fn main() {
    let r = govai_retrieval::evaluate_builtin();
    println!(
        "k-NN router (BM25, k = {}): held-out accuracy {:.3} ({}/{} test tickets, {} training tickets)",
        r.k, r.accuracy, r.correct, r.n_test, r.n_train
    );
    for (department, s) in &r.per_department {
        println!("  {department:<34} {:>2}/{:<2} {:.2}", s.correct, s.n, s.accuracy);
    }
}
