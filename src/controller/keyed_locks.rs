//! One async lock per key, so writes for one target group are ordered without any other group waiting.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

use tokio::sync::Mutex;

/// Locks by key, made on first use; a lock nobody holds or waits on is dropped by `forget`.
pub struct KeyedLocks<K = tgsync_actors::domain::TargetGroupKey> {
    locks: Rc<RefCell<HashMap<K, Rc<Mutex<()>>>>>,
}

impl<K> Clone for KeyedLocks<K> {
    fn clone(&self) -> Self {
        KeyedLocks {
            locks: self.locks.clone(),
        }
    }
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> Self {
        KeyedLocks {
            locks: Rc::default(),
        }
    }
}

impl<K: Hash + Eq + Clone> KeyedLocks<K> {
    /// The lock of `key`.
    pub fn get(&self, key: &K) -> Rc<Mutex<()>> {
        self.locks
            .borrow_mut()
            .entry(key.clone())
            .or_default()
            .clone()
    }

    /// Drops `key`'s lock unless someone holds or awaits it.
    pub fn forget(&self, key: &K) {
        let mut locks = self.locks.borrow_mut();
        if locks.get(key).is_some_and(|l| Rc::strong_count(l) == 1) {
            locks.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_key_held_never_blocks_another() {
        let locks: KeyedLocks<&str> = KeyedLocks::default();
        let a = locks.get(&"a");
        let _held = a.lock().await;
        // a's checkpoint PATCH hangs: b's lock is free, a's second writer waits.
        assert!(locks.get(&"b").try_lock().is_ok());
        assert!(locks.get(&"a").try_lock().is_err());
        locks.forget(&"b");
        assert_eq!(locks.locks.borrow().len(), 1);
    }
}
