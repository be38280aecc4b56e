//! The venue office on PostgreSQL: its schema and logins, the office's
//! questions, and (feature `web`) the security office's dashboard.

pub mod office;
