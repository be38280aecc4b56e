//! The security office's audit of kiosk journals: verify, merge, export,
//! who is inside, statistics, alarms and the HTML report.

pub mod audit;
