//! Names in every script: the fonts badgegate carries and finds, and text
//! shaped into outlines for cards and the guard's screen.

pub mod fonts;
pub mod shape;
