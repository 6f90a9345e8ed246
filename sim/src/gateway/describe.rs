//! Commands and results as timeline and log lines, with phone numbers
//! masked ([`Pii`]): the simulator's trace and the real gateway's debug log
//! are the same text.

use super::pii::Pii;
use callproof_core::manager::{Command, CommandError, CommandOk};

/// A command, numbers masked.
pub fn describe_command(command: &Command) -> String {
    match command {
        Command::Place { to, mode, .. } => format!("Place to {} ({mode:?})", Pii(to)),
        Command::Speak { call_id, .. } => format!("Speak on {call_id}"),
        Command::Continue { call_id, .. } => format!("Continue on {call_id}"),
        Command::End { call_id } => format!("End {call_id}"),
    }
}

/// A command's result, numbers masked.
pub fn describe_result(result: &Result<CommandOk, CommandError>) -> String {
    match result {
        Ok(ok) => format!("{ok:?}"),
        Err(CommandError::InvalidNumber { number }) => {
            format!("error: InvalidNumber {}", Pii(number))
        }
        Err(e) => format!("error: {e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callproof_core::record::CallMode;

    #[test]
    fn a_place_command_is_described_without_the_full_number() {
        let line = describe_command(&Command::Place {
            to: "+15552000042".into(),
            mode: CallMode::Notify,
            message: Some("hi".into()),
            session_key: None,
        });
        assert!(!line.contains("5552000042"), "{line}");
        assert!(line.contains("+1********42"), "{line}");
    }

    #[test]
    fn a_refused_number_is_described_masked() {
        let line = describe_result(&Err(CommandError::InvalidNumber {
            number: "+15552000042".into(),
        }));
        assert!(!line.contains("5552000042"), "{line}");
    }
}
