//! The simulated CloudFront pieces and their static layout: Regions, the
//! topology graph, and the traffic catalog.

pub mod attributes;
pub mod edge_functions;
pub mod faults;
pub mod origin_access;
pub mod popularity;
pub mod signed;
pub mod topology;
pub mod traffic;
pub mod viewers;
