//! One writer per object for values where only the newest matters (a binding's status): a value handed in
//! while an older one is being written replaces anything still queued, and each write is retried until it
//! lands, so a failed PATCH is never forgotten and an old one never lands after a newer one.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::rc::Rc;

struct Slot<V> {
    queued: Option<V>,
}

/// Writers keyed by object; values of one key are written one at a time, newest last.
pub struct LatestWins<K, V> {
    slots: Rc<RefCell<HashMap<K, Slot<V>>>>,
}

impl<K, V> Clone for LatestWins<K, V> {
    fn clone(&self) -> Self {
        LatestWins {
            slots: self.slots.clone(),
        }
    }
}

impl<K, V> Default for LatestWins<K, V> {
    fn default() -> Self {
        LatestWins {
            slots: Rc::default(),
        }
    }
}

impl<K: Hash + Eq + Clone + 'static, V: 'static> LatestWins<K, V> {
    /// Queues `value` for `key`; when no write of `key` runs, starts one that calls `write` (which retries
    /// until it lands) for each newest value until none is queued.
    pub fn submit<F, Fut>(&self, key: K, value: V, write: F)
    where
        F: Fn(V) -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        let mut slots = self.slots.borrow_mut();
        if let Some(slot) = slots.get_mut(&key) {
            slot.queued = Some(value);
            return;
        }
        slots.insert(key.clone(), Slot { queued: None });
        drop(slots);
        let slots = self.slots.clone();
        tokio::task::spawn_local(async move {
            let mut next = Some(value);
            while let Some(v) = next {
                write(v).await;
                let mut s = slots.borrow_mut();
                next = s.get_mut(&key).and_then(|slot| slot.queued.take());
                if next.is_none() {
                    s.remove(&key);
                }
            }
        });
    }

    /// Whether a write of `key` is under way or queued.
    #[cfg(test)]
    fn busy(&self, key: &K) -> bool {
        self.slots.borrow().contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn values_handed_in_during_a_write_collapse_to_the_newest() {
        let local = tokio::task::LocalSet::new();
        local
            .run_until(async {
                let written = Rc::new(RefCell::new(Vec::new()));
                let w: LatestWins<&str, u32> = LatestWins::default();
                let write = |log: Rc<RefCell<Vec<(&'static str, u32)>>>, key: &'static str| {
                    move |v: u32| {
                        let log = log.clone();
                        async move {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            log.borrow_mut().push((key, v));
                        }
                    }
                };
                for v in 1..=4 {
                    w.submit("a", v, write(written.clone(), "a"));
                }
                w.submit("b", 10, write(written.clone(), "b"));
                assert!(w.busy(&"a"));
                // a's first write was under way; 2 and 3 were overtaken by 4. b never waited on a.
                let of = |k| -> Vec<u32> {
                    written
                        .borrow()
                        .iter()
                        .filter(|(key, _)| *key == k)
                        .map(|(_, v)| *v)
                        .collect()
                };
                tokio::time::sleep(Duration::from_millis(1500)).await;
                assert_eq!((of("a"), of("b")), (vec![1], vec![10]));
                tokio::time::sleep(Duration::from_secs(5)).await;
                assert_eq!((of("a"), of("b")), (vec![1, 4], vec![10]));
                assert_eq!(written.borrow().len(), 3);
                assert!(!w.busy(&"a") && !w.busy(&"b"));
            })
            .await;
    }
}
