//! Collections that live as long as the program keep the capacity of their busiest
//! moment: after a burst of thousands of processes that then ended, that is memory held
//! for nothing all day.

/// The capacity to shrink to, once the capacity is over four times what is used (and
/// more than a few hundred entries' worth): twice the length, so a refresh or two of
/// growth does not reallocate again.
pub fn shrunk(capacity: usize, len: usize) -> Option<usize> {
    (capacity > 4 * len.max(256)).then_some(2 * len)
}

#[cfg(test)]
mod tests {
    use super::shrunk;

    #[test]
    fn only_a_large_surplus_is_given_back() {
        assert_eq!(shrunk(16_384, 100), Some(200));
        assert_eq!(shrunk(1_024, 100), None, "small collections are left alone");
        assert_eq!(shrunk(4_096, 1_500), None, "a quarter full or more is kept");
    }
}
