//! A document in a provider's locker as the compliance check sees it: what it is, where it is in its
//! life (with what a council said of it), its cover and its dates. The store builds these from its
//! rows; the check never needs the file, the title or who uploaded it.

use chrono::NaiveDate;
use proto::commissioning::common::v1::DocumentKind;
use proto::commissioning::compliance::v1::{CoverBasis, DocumentStatus};

use platform::money::Pence;
use platform::validation::Invalid;

/// A document held in a provider's locker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockerDocument {
    pub id: String,
    pub kind: DocumentKind,
    pub status: Status,
    /// The limit of indemnity, for insurance kinds.
    pub cover: Option<Cover>,
    /// The first day in force: cover start, or the date a policy was adopted.
    pub valid_from: Option<NaiveDate>,
    /// The last day valid: cover end, a policy's review date, a registration's renewal date. `None`
    /// means it does not expire.
    pub expires_on: Option<NaiveDate>,
}

/// Where a document is in its life (commissioning.compliance.v1.DocumentStatus), carrying the
/// verification or rejection that the status implies, so a verified document always says who
/// verified it and a rejected one always says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Stored but not yet passed by the malware scanner. Never counts until the scan passes.
    PendingScan,
    /// Stored and clean, waiting for a council officer.
    Submitted,
    /// Checked and found good by a council officer; every council may rely on it.
    Verified(Verification),
    /// Within 30 days of its end; still counts, verified or not.
    Expiring(Option<Verification>),
    /// Refused by a council officer or the malware scanner. Never counts.
    Rejected(Rejection),
    /// Past its end. Never counts.
    Expired,
    /// Replaced by a renewal. Never counts.
    Superseded,
}

impl Status {
    /// The status from its stored parts. A verified document needs its verification and a rejected
    /// one its rejection; a verification is kept only where the status may carry one.
    pub fn from_parts(
        status: DocumentStatus,
        verification: Option<Verification>,
        rejection: Option<Rejection>,
    ) -> Result<Self, Invalid> {
        let name = status.as_str_name();
        match status {
            DocumentStatus::PendingScan => Ok(Self::PendingScan),
            DocumentStatus::Submitted => Ok(Self::Submitted),
            DocumentStatus::Verified => verification
                .map(Self::Verified)
                .ok_or_else(|| Invalid::new(format!("{name} needs the verification: who verified it and when"))),
            DocumentStatus::Expiring => Ok(Self::Expiring(verification)),
            DocumentStatus::Rejected => rejection
                .map(Self::Rejected)
                .ok_or_else(|| Invalid::new(format!("{name} needs the rejection: who rejected it, when and why"))),
            DocumentStatus::Expired => Ok(Self::Expired),
            DocumentStatus::Superseded => Ok(Self::Superseded),
            DocumentStatus::Unspecified => Err(Invalid::new(format!("{name} is not a document's status"))),
        }
    }

    /// The status on the wire.
    pub fn to_proto(&self) -> DocumentStatus {
        match self {
            Self::PendingScan => DocumentStatus::PendingScan,
            Self::Submitted => DocumentStatus::Submitted,
            Self::Verified(_) => DocumentStatus::Verified,
            Self::Expiring(_) => DocumentStatus::Expiring,
            Self::Rejected(_) => DocumentStatus::Rejected,
            Self::Expired => DocumentStatus::Expired,
            Self::Superseded => DocumentStatus::Superseded,
        }
    }
}

/// A council officer's verification: which council, and the day (in Europe/London) it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The council's display name, for example "Lambeth".
    pub council_name: String,
    pub on: NaiveDate,
}

/// A rejection: by whom, the day (in Europe/London), and the reason the provider can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The council's display name; `None` when the malware scanner rejected it.
    pub council_name: Option<String>,
    pub on: NaiveDate,
    pub reason: String,
}

/// An insurance limit of indemnity and whether it applies to each claim or to all claims together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cover {
    limit: Pence,
    basis: CoverBasis,
}

impl Cover {
    /// An unstated basis is read as per occurrence, as the contract says.
    pub fn new(limit: Pence, basis: CoverBasis) -> Self {
        let basis = if basis == CoverBasis::Unspecified { CoverBasis::PerOccurrence } else { basis };
        Self { limit, basis }
    }

    pub fn limit(self) -> Pence {
        self.limit
    }

    /// Per occurrence or aggregate, never unspecified.
    pub fn basis(self) -> CoverBasis {
        self.basis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verification() -> Verification {
        Verification { council_name: "Lambeth".into(), on: NaiveDate::from_ymd_opt(2026, 3, 3).expect("a real date") }
    }

    fn rejection() -> Rejection {
        Rejection {
            council_name: Some("Lambeth".into()),
            on: NaiveDate::from_ymd_opt(2026, 3, 3).expect("a real date"),
            reason: "not signed".into(),
        }
    }

    #[test]
    fn statuses_are_built_with_what_they_imply() {
        use DocumentStatus as S;
        let cases = [
            (S::PendingScan, None, None, Status::PendingScan),
            (S::Submitted, None, None, Status::Submitted),
            (S::Verified, Some(verification()), None, Status::Verified(verification())),
            (S::Expiring, None, None, Status::Expiring(None)),
            (S::Expiring, Some(verification()), None, Status::Expiring(Some(verification()))),
            (S::Rejected, Some(verification()), Some(rejection()), Status::Rejected(rejection())),
            (S::Expired, Some(verification()), None, Status::Expired),
            (S::Superseded, None, None, Status::Superseded),
        ];
        for (status, verification, rejection, expected) in cases {
            let built = Status::from_parts(status, verification, rejection);
            assert_eq!(built.as_ref(), Ok(&expected), "{status:?}");
            assert_eq!(expected.to_proto(), status);
        }
    }

    #[test]
    fn statuses_missing_what_they_imply_are_refused() {
        assert!(Status::from_parts(DocumentStatus::Verified, None, None).is_err());
        assert!(Status::from_parts(DocumentStatus::Verified, None, Some(rejection())).is_err());
        assert!(Status::from_parts(DocumentStatus::Rejected, Some(verification()), None).is_err());
        assert!(Status::from_parts(DocumentStatus::Unspecified, None, None).is_err());
    }

    #[test]
    fn an_unstated_cover_basis_is_per_occurrence() {
        let limit = Pence::pounds(5_000_000);
        assert_eq!(Cover::new(limit, CoverBasis::Unspecified).basis(), CoverBasis::PerOccurrence);
        assert_eq!(Cover::new(limit, CoverBasis::PerOccurrence).basis(), CoverBasis::PerOccurrence);
        assert_eq!(Cover::new(limit, CoverBasis::Aggregate).basis(), CoverBasis::Aggregate);
        assert_eq!(Cover::new(limit, CoverBasis::Aggregate).limit(), limit);
    }
}
