use super::Target;

/// The two target calls whose budget the hot path spends.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Action {
    /// DeregisterTargets; goes first when the budget is short.
    Deregister,
    /// RegisterTargets.
    Register,
}

impl Action {
    /// The API name, as it appears in ledgers and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Register => "RegisterTargets",
            Action::Deregister => "DeregisterTargets",
        }
    }
}

/// A change to the desired target set: one target wanted or no longer wanted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delta {
    /// The target became wanted (ready endpoint appeared).
    Add(Target),
    /// The target is no longer wanted (endpoint gone, not ready or terminating).
    Remove(Target),
}
