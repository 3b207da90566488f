//! Social-network graphs for the simulator: a compact undirected graph type
//! ([`Csr`]), random generators for the usual network models, an edge-list
//! loader for real datasets, and two statistics used to check the generators.
//!
//! Every generator takes the random number generator explicitly and uses
//! nothing else that is random or order-dependent, so a given seed always
//! yields the same graph, whatever the platform's thread count.

mod barabasi_albert;
mod communities;
mod configuration_model;
mod csr;
mod edge_list;
mod stats;
mod stochastic_block;
mod watts_strogatz;

pub use barabasi_albert::barabasi_albert;
pub use communities::label_propagation;
pub use configuration_model::configuration_model;
pub use csr::Csr;
pub use edge_list::{
    EdgeListError, MAX_LINE_BYTES, check_edge_list, load_communities, load_edge_list,
    parse_edge_list,
};
pub use stats::{average_clustering, power_law_exponent_mle};
pub use stochastic_block::stochastic_block;
pub use watts_strogatz::watts_strogatz;

#[cfg(test)]
mod test_util {
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Seeded generator used by all tests in this module.
    pub fn rng(seed: u64) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(seed)
    }

    /// Degrees of all nodes as `f64`, for [`super::power_law_exponent_mle`].
    pub fn degrees_f64(g: &super::Csr) -> Vec<f64> {
        (0..g.node_count() as u32)
            .map(|v| g.degree(v) as f64)
            .collect()
    }
}
