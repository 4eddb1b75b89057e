//! The plans `swarmtop serve` made and keeps until the client confirms one: a kill
//! over the wire carries out exactly a plan the server showed, and only if the client
//! confirms it with exactly the processes it showed. A plan runs at most once; one made
//! by an earlier connection (another serve) is unknown here. Pure.

use std::collections::VecDeque;

use crate::kill::plan::KillPlan;
use crate::model::ProcKey;

/// Plans kept at once; older ones are forgotten (and refused).
const KEPT: usize = 16;

#[derive(Debug)]
pub struct Plans {
    /// Unique to this serve process, so no other one's plan id is known here.
    nonce: String,
    next: u64,
    kept: VecDeque<(String, KillPlan)>,
}

impl Plans {
    pub fn new(nonce: String) -> Plans {
        Plans { nonce, next: 1, kept: VecDeque::new() }
    }

    /// Keeps `plan` and returns its id.
    pub fn keep(&mut self, plan: KillPlan) -> String {
        let id = format!("{}-{}", self.nonce, self.next);
        self.next += 1;
        if self.kept.len() == KEPT {
            self.kept.pop_front();
        }
        self.kept.push_back((id.clone(), plan));
        id
    }

    /// The kept plan `id`, if it signals exactly `confirmed` (the planned processes the
    /// client showed, in the plan's order). It is forgotten either way.
    pub fn take(&mut self, id: &str, confirmed: &[ProcKey]) -> Result<KillPlan, String> {
        let found = self.kept.iter().position(|(k, _)| k == id).and_then(|i| self.kept.remove(i));
        let Some((_, plan)) = found else {
            return Err(format!(
                "plan {id} is not known here: it was made by an earlier connection, already carried out, \
                 or replaced by newer plans; nothing was signalled (plan the kill again)"
            ));
        };
        let planned: Vec<ProcKey> = plan.entries.iter().map(|e| e.key).collect();
        if planned != confirmed {
            return Err(format!(
                "plan {id} signals other processes than the {} confirmed ({} planned here); nothing was \
                 signalled (plan the kill again)",
                confirmed.len(),
                planned.len()
            ));
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kill::plan::PlanEntry;

    fn plan(pids: &[u32]) -> KillPlan {
        KillPlan {
            entries: pids
                .iter()
                .map(|&pid| PlanEntry {
                    key: ProcKey::new(pid, 100).unwrap(),
                    name: "n".into(),
                    cmd: "n".into(),
                    cpu_percent: 0.0,
                    memory_bytes: 0,
                })
                .collect(),
            born_after: 100,
            ..KillPlan::default()
        }
    }

    fn keys(pids: &[u32]) -> Vec<ProcKey> {
        pids.iter().map(|&p| ProcKey::new(p, 100).unwrap()).collect()
    }

    #[test]
    fn a_confirmed_plan_runs_once() {
        let mut plans = Plans::new("a".into());
        let id = plans.keep(plan(&[5, 6]));
        assert_eq!(plans.take(&id, &keys(&[5, 6])), Ok(plan(&[5, 6])));
        let again = plans.take(&id, &keys(&[5, 6])).unwrap_err();
        assert!(again.contains("not known here") && again.contains("nothing was signalled"), "{again}");
    }

    #[test]
    fn a_plan_confirmed_with_other_processes_is_refused_and_forgotten() {
        let mut plans = Plans::new("a".into());
        for confirmed in [&[5][..], &[5, 6, 7], &[6, 5], &[]] {
            let id = plans.keep(plan(&[5, 6]));
            let e = plans.take(&id, &keys(confirmed)).unwrap_err();
            assert!(e.contains("other processes") && e.contains("nothing was signalled"), "{e}");
            assert!(plans.take(&id, &keys(&[5, 6])).is_err(), "refused once, refused for good");
        }
        // A start time that differs is another process.
        let id = plans.keep(plan(&[5]));
        assert!(plans.take(&id, &[ProcKey::new(5, 101).unwrap()]).is_err());
    }

    #[test]
    fn another_serves_plan_ids_and_forgotten_plans_are_unknown() {
        let mut first = Plans::new("111".into());
        let mut second = Plans::new("222".into());
        let id = first.keep(plan(&[5]));
        assert!(second.take(&id, &keys(&[5])).unwrap_err().contains("not known here"));
        let old = first.keep(plan(&[9]));
        for _ in 0..KEPT {
            first.keep(plan(&[1]));
        }
        assert!(first.take(&old, &keys(&[9])).unwrap_err().contains("not known here"));
    }
}
