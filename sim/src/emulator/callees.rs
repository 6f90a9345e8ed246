//! Callees set by hand: what the person at a number will do, and what every
//! other number does. The simulator draws its callees from the seed and
//! leaves these empty; the standalone server's control API fills them.

use super::truth::Callee;
use std::collections::BTreeMap;

/// The scripts a test or an operator gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalleeScripts {
    /// By the number dialled, exactly as the create gave it.
    pub by_number: BTreeMap<String, Callee>,
    /// For every number without its own script; `None`: drawn from the seed.
    pub default: Option<Callee>,
}

impl CalleeScripts {
    /// The scripted callee at `number`, if any script applies.
    pub fn lookup(&self, number: &str) -> Option<Callee> {
        self.by_number.get(number).copied().or(self.default)
    }

    /// Sets the script of `number`, or the default when `number` is `None`.
    pub fn set(&mut self, number: Option<&str>, callee: Callee) {
        match number {
            Some(n) => {
                self.by_number.insert(n.to_owned(), callee);
            }
            None => self.default = Some(callee),
        }
    }
}
