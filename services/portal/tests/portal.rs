//! The portal's tests over HTTP and of its component macros; the journeys in a browser are in
//! tests/browser at the workspace's root.

mod portal {
    pub mod components;
    pub mod integrators;
    pub mod mail_catcher;
    pub mod notifications;
    pub mod officer;
    pub mod security;
    pub mod sign_in;
    pub mod support;
}
