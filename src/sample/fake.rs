//! A scripted process source for tests: returns the given process lists in turn,
//! repeating the last one.

use super::{ProcessSource, SampleError};
use crate::model::Process;

pub struct FakeSource {
    frames: Vec<Vec<Process>>,
    next: usize,
}

impl FakeSource {
    pub fn new(frames: Vec<Vec<Process>>) -> FakeSource {
        FakeSource { frames, next: 0 }
    }
}

impl ProcessSource for FakeSource {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn ticks_per_second(&self) -> u64 {
        100
    }

    fn refresh(&mut self) -> Result<Vec<Process>, SampleError> {
        let frame = self.frames.get(self.next).or_else(|| self.frames.last()).cloned().unwrap_or_default();
        self.next += 1;
        Ok(frame)
    }
}
