//! Conversations kept in memory so a caller can continue one by id without resending history.
//!
//! Bounded in count, turns, bytes and idle time: the least recently used conversation is dropped when
//! the store is full, a conversation keeps only its latest turns, and one idle longer than the
//! expiry is forgotten. Only the caller that started a conversation can continue it; an unknown,
//! expired or foreign id reads as "not found" alike, so ids cannot be probed. The store holds
//! the turns as the caller sent and saw them (inside the trust boundary, like the request
//! itself); it is never written to disk or to the audit log.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::request::Message;

/// Bounds of the in-memory conversation store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationLimits {
    /// Conversations kept at once; the least recently used goes first.
    pub max_conversations: usize,
    /// Turns kept per conversation; the oldest go first.
    pub max_turns: usize,
    /// A conversation not used for this long is forgotten.
    pub idle_expiry: Duration,
    /// Bytes of turn text kept in all conversations together; the least recently used
    /// conversations go first when a save would exceed it.
    pub max_bytes: usize,
}

impl Default for ConversationLimits {
    fn default() -> Self {
        Self {
            max_conversations: 10_000,
            max_turns: 64,
            idle_expiry: Duration::from_secs(30 * 60),
            max_bytes: 256 << 20,
        }
    }
}

struct Conversation {
    scenario: String,
    owner: Option<String>,
    turns: Vec<Message>,
    /// Bytes of turn text, counted once when stored.
    bytes: usize,
    last_used: Instant,
}

/// The conversations and the bytes of turn text they hold together.
#[derive(Default)]
struct Store {
    map: HashMap<String, Conversation>,
    bytes: usize,
}

impl Store {
    fn remove(&mut self, id: &str) {
        if let Some(c) = self.map.remove(id) {
            self.bytes -= c.bytes;
        }
    }

    /// The least recently used conversation's id.
    fn oldest(&self) -> Option<String> {
        self.map.iter().min_by_key(|(_, c)| c.last_used).map(|(k, _)| k.clone())
    }
}

/// The store: conversation id -> turns.
pub(crate) struct Conversations {
    limits: ConversationLimits,
    store: Mutex<Store>,
}

impl Conversations {
    pub(crate) fn new(limits: ConversationLimits) -> Self {
        Self { limits, store: Mutex::new(Store::default()) }
    }

    /// The earlier turns of conversation `id`, if `owner` started it in `scenario`.
    pub(crate) fn history(&self, id: &str, scenario: &str, owner: Option<&str>) -> Result<Vec<Message>> {
        let mut store = self.lock()?;
        let now = Instant::now();
        let not_found = || Error::NotFound { what: "conversation", id: id.to_owned() };
        let conversation = store.map.get_mut(id).filter(|c| !self.expired(c, now)).ok_or_else(not_found)?;
        if conversation.owner.as_deref() != owner {
            return Err(not_found());
        }
        if conversation.scenario != scenario {
            return Err(Error::InvalidInput(format!(
                "conversation `{id}` belongs to scenario `{}`, not `{scenario}`",
                conversation.scenario
            )));
        }
        conversation.last_used = now;
        Ok(conversation.turns.clone())
    }

    /// Store `turns` (the whole conversation so far) under `id`.
    pub(crate) fn save(&self, id: &str, scenario: &str, owner: Option<&str>, mut turns: Vec<Message>) -> Result<()> {
        let mut store = self.lock()?;
        let now = Instant::now();
        store.remove(id);
        let expired: Vec<String> =
            store.map.iter().filter(|(_, c)| self.expired(c, now)).map(|(k, _)| k.clone()).collect();
        expired.iter().for_each(|k| store.remove(k));
        let excess = turns.len().saturating_sub(self.limits.max_turns.max(1));
        turns.drain(..excess);
        let bytes = turns.iter().map(|m| m.content.len()).sum();
        while !store.map.is_empty()
            && (store.map.len() >= self.limits.max_conversations.max(1) || store.bytes + bytes > self.limits.max_bytes)
        {
            let Some(k) = store.oldest() else { break };
            store.remove(&k);
        }
        let conversation = Conversation {
            scenario: scenario.to_owned(),
            owner: owner.map(str::to_owned),
            turns,
            bytes,
            last_used: now,
        };
        store.bytes += bytes;
        store.map.insert(id.to_owned(), conversation);
        Ok(())
    }

    /// Conversations held now (expired ones included until the next save).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().map(|s| s.map.len()).unwrap_or(0)
    }

    fn expired(&self, c: &Conversation, now: Instant) -> bool {
        now.duration_since(c.last_used) > self.limits.idle_expiry
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Store>> {
        self.store.lock().map_err(|_| Error::Internal("conversation store poisoned by an earlier panic".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn store(max_conversations: usize, max_turns: usize, idle: Duration) -> Conversations {
        Conversations::new(ConversationLimits { max_conversations, max_turns, idle_expiry: idle, max_bytes: 1 << 20 })
    }

    #[test]
    fn continues_only_for_its_owner_and_scenario() {
        let s = store(10, 10, Duration::from_secs(60));
        s.save("c1", "qa", Some("alice"), vec![Message::user("a"), Message::assistant("b")]).unwrap();
        assert_eq!(s.history("c1", "qa", Some("alice")).unwrap().len(), 2);
        assert_eq!(s.history("c1", "qa", Some("bob")).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(s.history("c1", "qa", None).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(s.history("c2", "qa", Some("alice")).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(s.history("c1", "routing", Some("alice")).unwrap_err().kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn keeps_the_latest_turns_and_evicts_the_least_recently_used() {
        let s = store(2, 3, Duration::from_secs(60));
        let turns: Vec<Message> = (0..5).map(|i| Message::user(i.to_string())).collect();
        s.save("a", "qa", None, turns).unwrap();
        let kept = s.history("a", "qa", None).unwrap();
        assert_eq!(kept.iter().map(|m| m.content.as_str()).collect::<Vec<_>>(), ["2", "3", "4"]);
        s.save("b", "qa", None, vec![]).unwrap();
        s.history("a", "qa", None).unwrap(); // a is now more recent than b
        s.save("c", "qa", None, vec![]).unwrap();
        assert_eq!(s.len(), 2);
        assert!(s.history("b", "qa", None).is_err());
        assert!(s.history("a", "qa", None).is_ok());
    }

    #[test]
    fn the_byte_budget_drops_the_least_recently_used() {
        let s = Conversations::new(ConversationLimits { max_bytes: 10, ..ConversationLimits::default() });
        s.save("a", "qa", None, vec![Message::user("12345")]).unwrap();
        s.save("b", "qa", None, vec![Message::user("12345")]).unwrap();
        assert_eq!(s.len(), 2);
        s.save("c", "qa", None, vec![Message::user("123")]).unwrap();
        assert!(s.history("a", "qa", None).is_err(), "a should have made room");
        assert!(s.history("b", "qa", None).is_ok() && s.history("c", "qa", None).is_ok());
        // Saving a conversation again replaces its bytes rather than adding to them.
        s.save("c", "qa", None, vec![Message::user("12345")]).unwrap();
        assert!(s.history("b", "qa", None).is_ok());
    }

    #[test]
    fn idle_conversations_expire() {
        let s = store(10, 10, Duration::from_millis(20));
        s.save("a", "qa", None, vec![Message::user("x")]).unwrap();
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(s.history("a", "qa", None).unwrap_err().kind(), ErrorKind::NotFound);
    }
}
