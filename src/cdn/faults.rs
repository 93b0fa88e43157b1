//! What is wrong with an origin at a given instant, from the scenario's fault
//! windows. Several faults may overlap: connection faults decide whether a
//! connection can be made at all (a black hole outranks refusals, since its
//! timeouts are what the viewer waits for), slow-downs multiply, and status
//! faults each take their share of the requests that get through.

use crate::scenario::{FaultKind, FaultSpec};
use crate::time::SimTime;
use rand::{Rng, RngExt};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connect {
    Ok,
    /// Every connection attempt is refused at once.
    Refused,
    /// Every connection attempt times out.
    Blackholed,
}

/// An origin's state at one instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Condition {
    pub connect: Connect,
    /// Service times are multiplied by this.
    pub slow_factor: f64,
}

fn active(faults: &[FaultSpec], origin: usize, t: SimTime) -> impl Iterator<Item = &FaultSpec> {
    faults.iter().filter(move |f| f.origin == origin && f.start <= t && t < f.end)
}

/// The connection state and slow-down of `origin` at `t`.
pub fn condition_at(faults: &[FaultSpec], origin: usize, t: SimTime) -> Condition {
    let mut condition = Condition { connect: Connect::Ok, slow_factor: 1.0 };
    for fault in active(faults, origin, t) {
        match fault.kind {
            FaultKind::Blackhole => condition.connect = Connect::Blackholed,
            FaultKind::Down if condition.connect == Connect::Ok => condition.connect = Connect::Refused,
            FaultKind::Down => {}
            FaultKind::Slow { factor } => condition.slow_factor *= factor,
            FaultKind::Status { .. } => {}
        }
    }
    condition
}

/// The error status `origin` answers at `t` instead of its normal response,
/// if a status fault takes this request: each active one, in listed order,
/// takes its `fraction` of what the earlier ones left.
pub fn forced_status<R: Rng + ?Sized>(faults: &[FaultSpec], origin: usize, t: SimTime, rng: &mut R) -> Option<u16> {
    for fault in active(faults, origin, t) {
        if let FaultKind::Status { status, fraction } = fault.kind
            && (fraction >= 1.0 || rng.random::<f64>() < fraction)
        {
            return Some(status);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn fault(origin: usize, kind: FaultKind, start_s: u64, end_s: u64) -> FaultSpec {
        FaultSpec { origin, kind, start: SimTime(start_s * 1_000_000), end: SimTime(end_s * 1_000_000) }
    }

    #[test]
    fn windows_are_half_open_and_per_origin() {
        let faults = [fault(0, FaultKind::Down, 10, 20)];
        let at = |s: u64| condition_at(&faults, 0, SimTime(s * 1_000_000)).connect;
        assert_eq!((at(9), at(10), at(19), at(20)), (Connect::Ok, Connect::Refused, Connect::Refused, Connect::Ok));
        assert_eq!(condition_at(&faults, 1, SimTime(15_000_000)).connect, Connect::Ok);
    }

    #[test]
    fn overlapping_faults_combine() {
        let faults = [
            fault(0, FaultKind::Down, 0, 100),
            fault(0, FaultKind::Blackhole, 50, 60),
            fault(0, FaultKind::Slow { factor: 2.0 }, 0, 100),
            fault(0, FaultKind::Slow { factor: 3.0 }, 40, 100),
        ];
        let c = condition_at(&faults, 0, SimTime(55_000_000));
        assert_eq!(c, Condition { connect: Connect::Blackholed, slow_factor: 6.0 });
        let c = condition_at(&faults, 0, SimTime(70_000_000));
        assert_eq!(c, Condition { connect: Connect::Refused, slow_factor: 6.0 });
    }

    #[test]
    fn status_faults_take_their_share() {
        let faults = [fault(0, FaultKind::Status { status: 503, fraction: 0.25 }, 0, 100)];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 40_000;
        let hits = (0..n).filter(|_| forced_status(&faults, 0, SimTime(1), &mut rng) == Some(503)).count();
        assert!((hits as f64 / n as f64 - 0.25).abs() < 0.01, "{hits}");
        let always = [fault(0, FaultKind::Status { status: 500, fraction: 1.0 }, 0, 100)];
        assert_eq!(forced_status(&always, 0, SimTime(1), &mut rng), Some(500));
        assert_eq!(forced_status(&always, 0, SimTime(200_000_000), &mut rng), None);
    }
}
