//! Who may do what with a provider: its members change it (admins also manage members), platform
//! admins may do everything, any signed-in user reads public fields, and personal contact
//! details go to the provider's members, council officers and admins only.

use platform::Error;
use platform::auth::{Caller, Role};
use proto::commissioning::providers::v1::MemberRole;

/// The caller's standing with one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub platform_admin: bool,
    pub officer: bool,
    pub member: Option<MemberRole>,
}

impl Standing {
    pub fn of(caller: &Caller, member: Option<MemberRole>) -> Self {
        Self { platform_admin: caller.has_role(Role::Admin), officer: caller.has_role(Role::Officer), member }
    }

    /// Change the profile and services.
    pub fn may_edit(&self) -> Result<(), Error> {
        if self.platform_admin || self.member.is_some() {
            return Ok(());
        }
        Err(Error::PermissionDenied(
            "only this provider's members may change it; ask one of its admins to add you".into(),
        ))
    }

    /// See the tenders that fit the provider (its own business, not the buyers').
    pub fn may_see_matches(&self) -> Result<(), Error> {
        if self.platform_admin || self.member.is_some() {
            return Ok(());
        }
        Err(Error::PermissionDenied("only this provider's members may see the tenders that fit it".into()))
    }

    /// Add and remove members.
    pub fn may_manage_members(&self) -> Result<(), Error> {
        if self.platform_admin || self.member == Some(MemberRole::Admin) {
            return Ok(());
        }
        Err(Error::PermissionDenied("only this provider's admins may change its members; ask one of them".into()))
    }

    /// See members and the safeguarding lead's contact details.
    pub fn sees_personal_details(&self) -> bool {
        self.platform_admin || self.officer || self.member.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(admin: bool, officer: bool, member: Option<MemberRole>) -> Standing {
        Standing { platform_admin: admin, officer, member }
    }

    #[test]
    fn members_edit_admins_manage_officers_only_read() {
        assert!(standing(false, false, Some(MemberRole::Member)).may_edit().is_ok());
        assert!(standing(false, false, Some(MemberRole::Member)).may_manage_members().is_err());
        assert!(standing(false, false, Some(MemberRole::Admin)).may_manage_members().is_ok());
        assert!(standing(false, true, None).may_edit().is_err());
        assert!(standing(false, true, None).sees_personal_details());
        assert!(!standing(false, false, None).sees_personal_details());
        assert!(standing(true, false, None).may_manage_members().is_ok());
    }
}
