//! The providers under test, one file each.

mod mock;
mod plivo;
mod telnyx;
mod twilio;

pub use mock::MockSubject;
pub use plivo::PlivoSubject;
pub use telnyx::TelnyxSubject;
pub use twilio::TwilioSubject;

/// Calls `$m!(name, SubjectType)` once per provider under test. The table
/// binary, `run_all` and the test suites all expand from this one list, so a
/// provider added here is gated everywhere.
#[macro_export]
macro_rules! for_each_subject {
    ($m:ident) => {
        $m!(mock, $crate::subjects::MockSubject);
        $m!(twilio, $crate::subjects::TwilioSubject);
        $m!(telnyx, $crate::subjects::TelnyxSubject);
        $m!(plivo, $crate::subjects::PlivoSubject);
    };
}
