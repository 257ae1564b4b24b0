//! A person to be added as a member of a provider (commissioning.providers.v1.Member): the user id
//! their token carries, what they may do, and optional contact details, checked once when the
//! request arrives. The time they were added belongs to the store.

use platform::FieldViolation;
use proto::commissioning::providers::v1::{Member, MemberRole};

use super::contact::{Email, UkPhone};
use platform::validation::{Violations, field, optional, optional_text, required_enum, required_text};

const USER_ID_MAX: usize = 200;
const NAME_MAX: usize = 200;
const ROLES: &str = "MEMBER_ROLE_ADMIN or MEMBER_ROLE_MEMBER";

/// A validated member to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    user_id: String,
    role: MemberRole,
    display_name: String,
    email: Option<Email>,
    phone: Option<UkPhone>,
}

impl NewMember {
    /// Parses the member at `path` (usually "member"), collecting every violation with its path.
    pub fn parse(member: &Member, path: &str) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let user_id = v.check(field(path, "user_id"), required_text(&member.user_id, USER_ID_MAX));
        let role = v.check(field(path, "role"), required_enum(member.role, ROLES));
        let display_name = v.check(field(path, "display_name"), optional_text(&member.display_name, NAME_MAX));
        let email = v.check(field(path, "email"), optional(&member.email, Email::parse));
        let phone = v.check(field(path, "phone"), optional(&member.phone, UkPhone::parse));
        v.finish(|| {
            Some(Self { user_id: user_id?, role: role?, display_name: display_name?, email: email?, phone: phone? })
        })
    }

    /// The user's id in the identity provider (the `sub` claim of their token).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn role(&self) -> MemberRole {
        self.role
    }

    pub fn is_admin(&self) -> bool {
        self.role == MemberRole::Admin
    }

    /// Empty when not given.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    pub fn phone(&self) -> Option<&UkPhone> {
        self.phone.as_ref()
    }

    /// The member as a proto Member, add_time left for the store to fill.
    pub fn to_proto(&self) -> Member {
        Member {
            user_id: self.user_id.clone(),
            role: self.role.into(),
            display_name: self.display_name.clone(),
            email: self.email.as_ref().map(Email::to_string).unwrap_or_default(),
            phone: self.phone.as_ref().map(UkPhone::to_string).unwrap_or_default(),
            add_time: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> Member {
        Member {
            user_id: " auth0|5f8d ".into(),
            role: MemberRole::Member.into(),
            display_name: " Priya Shah ".into(),
            email: "Priya@Example.ORG".into(),
            phone: "07700 900123".into(),
            add_time: None,
        }
    }

    fn fields(member: Member) -> Vec<String> {
        let violations = NewMember::parse(&member, "member").expect_err("should be refused");
        violations.into_iter().map(|violation| violation.field).collect()
    }

    #[test]
    fn a_good_member_is_normalised() {
        let parsed = NewMember::parse(&member(), "member").expect("valid member");
        assert_eq!((parsed.user_id(), parsed.display_name()), ("auth0|5f8d", "Priya Shah"));
        assert_eq!((parsed.role(), parsed.is_admin()), (MemberRole::Member, false));
        let proto = parsed.to_proto();
        assert_eq!((proto.email.as_str(), proto.phone.as_str()), ("Priya@example.org", "07700900123"));
        assert_eq!(NewMember::parse(&proto, "member"), Ok(parsed));
    }

    #[test]
    fn contact_details_are_optional() {
        let bare = Member { display_name: String::new(), email: String::new(), phone: " ".into(), ..member() };
        let parsed = NewMember::parse(&bare, "member").expect("valid member");
        assert!(parsed.email().is_none() && parsed.phone().is_none());
    }

    #[test]
    fn bad_members_are_refused_with_each_field_named() {
        assert_eq!(fields(Member::default()), ["member.user_id", "member.role"]);
        let bad = Member {
            user_id: "u".repeat(201),
            role: 3,
            display_name: "n".repeat(201),
            email: "priya".into(),
            phone: "123".into(),
            add_time: None,
        };
        let expected = ["member.user_id", "member.role", "member.display_name", "member.email", "member.phone"];
        assert_eq!(fields(bad), expected);
    }
}
