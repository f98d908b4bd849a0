//! Articles: what is said on a ticket. What a customer wrote is never edited or deleted by
//! the vendor; corrections are new articles.

use crate::string_enum;

string_enum! {
    ArticleKind {
        /// Visible to the customer; the first one by a vendor person stops the first-response clock.
        PublicReply = "public_reply",
        /// Vendor-only.
        InternalNote = "internal_note",
        /// A logged phone call; one to or from the customer counts as a first response.
        PhoneCall = "phone_call",
        /// Written by deskbell itself (acknowledgements, SLA notices); never a first response.
        SystemNotice = "system_notice",
    }
}

string_enum! {
    CallDirection {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

impl ArticleKind {
    /// Whether a customer may see articles of this kind.
    pub fn is_public(self) -> bool {
        !matches!(self, ArticleKind::InternalNote)
    }
}
