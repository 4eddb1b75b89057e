//! Two small parts of the rows' state: which rows are open, and where each row sits
//! among its siblings (for the tree guides).

use std::collections::HashSet;

use super::rows::{Row, RowId};

/// Which rows are open: everything is open by default; `flipped` holds the exceptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expansion {
    pub closed_by_default: bool,
    pub flipped: HashSet<RowId>,
}

impl Expansion {
    pub fn is_open(&self, id: &RowId) -> bool {
        self.closed_by_default == self.flipped.contains(id)
    }

    pub fn set(&mut self, id: &RowId, open: bool) {
        if open == self.closed_by_default {
            self.flipped.insert(id.clone());
        } else {
            self.flipped.remove(id);
        }
    }

    pub fn all(&mut self, open: bool) {
        self.closed_by_default = !open;
        self.flipped.clear();
    }
}

/// Where a row sits among its siblings, for the tree guides (`├─ └─ │`): made once
/// per build from its parent's, so drawing a row needs no walk up the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Guide {
    /// Bit `i`: the ancestor `i + 1` levels up (below the top level) has a sibling
    /// after it, so its line (`│`) runs past this row. Deeper ancestors do not fit:
    /// a row more than 64 levels deep shows its depth instead of their lines.
    pub open_above: u64,
    /// The last of its siblings (`└─`, not `├─`).
    pub last: bool,
}

impl Guide {
    /// The guide of a child of `parent`.
    pub(crate) fn below(parent: &Row, last: bool) -> Guide {
        let open_above = match parent.depth {
            0 => 0,
            _ => (parent.guide.open_above << 1) | u64::from(!parent.guide.last),
        };
        Guide { open_above, last }
    }
}
