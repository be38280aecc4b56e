//! The rules every place applies to the same records, written once. The
//! kiosk's local anti-passback, the audit's muster list and the venue
//! office's presence (in SQL, generated from here by [`presence_sql`]) all
//! answer "who is inside" with [`moves_presence`].

use crate::vocab::{EntryDecision, EntryKind};

/// True when a record moves its badge's holder in or out (its direction
/// says which): an admit, by a decision, a guard's override or a guard's
/// confirmation, of a badge whose signature verified. A denied or pending
/// record moves no one; an admit of a badge the signature does not vouch
/// for (a guard letting in someone whose card is forged or unknown) never
/// moves the genuine holder of the serial it claims: a forgery must not
/// lock the real person out, nor put them on the muster list.
pub fn moves_presence(kind: EntryKind, decision: EntryDecision, authentic: bool) -> bool {
    matches!(
        kind,
        EntryKind::Decision | EntryKind::Override | EntryKind::Confirm
    ) && decision == EntryDecision::Admit
        && authentic
}

/// [`moves_presence`] as the office's SQL function
/// `badgegate.moves_presence(kind, decision, authentic)`: every combination
/// of the vocabulary's codes the rule admits, written out, so the
/// database's presence follows this very definition (anything else,
/// unknown codes included, moves no one).
pub fn presence_sql() -> String {
    let mut moving = Vec::new();
    for kind in EntryKind::ALL {
        for decision in EntryDecision::ALL {
            for authentic in [false, true] {
                if moves_presence(*kind, *decision, authentic) {
                    moving.push(format!(
                        "('{}', '{}', {authentic})",
                        kind.code(),
                        decision.code()
                    ));
                }
            }
        }
    }
    format!(
        "CREATE OR REPLACE FUNCTION badgegate.moves_presence(p_kind text, p_decision text, p_authentic boolean) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT (p_kind, p_decision, p_authentic) IN ({})
         $$;",
        moving.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_authentic_admits_move_presence() {
        for kind in EntryKind::ALL {
            for decision in EntryDecision::ALL {
                let moves = moves_presence(*kind, *decision, true);
                assert_eq!(
                    moves,
                    *decision == EntryDecision::Admit
                        && matches!(
                            kind,
                            EntryKind::Decision | EntryKind::Override | EntryKind::Confirm
                        ),
                    "{kind:?} {decision:?}"
                );
                assert!(!moves_presence(*kind, *decision, false));
            }
        }
        assert!(presence_sql().contains("('override', 'admit', true)"));
        assert!(!presence_sql().contains("false)"));
    }
}
