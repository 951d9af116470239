//! controller-runtime's work queue: each key held once however often it is added; a key added while
//! being processed is processed again after `done`, never concurrently.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

use tokio::sync::Notify;

/// A deduplicating FIFO of keys shared by the reconcile workers.
pub struct WorkQueue<K> {
    inner: RefCell<Inner<K>>,
    notify: Notify,
}

struct Inner<K> {
    queue: VecDeque<K>,
    dirty: HashSet<K>,
    processing: HashSet<K>,
    shut_down: bool,
}

impl<K: Hash + Eq + Clone> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue {
            inner: RefCell::new(Inner {
                queue: VecDeque::new(),
                dirty: HashSet::new(),
                processing: HashSet::new(),
                shut_down: false,
            }),
            notify: Notify::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> WorkQueue<K> {
    /// Marks `key` as needing work. A key already waiting stays where it is.
    pub fn add(&self, key: K) {
        let mut q = self.inner.borrow_mut();
        if q.shut_down || !q.dirty.insert(key.clone()) {
            return;
        }
        // A key being processed is queued again by `done`.
        if !q.processing.contains(&key) {
            q.queue.push_back(key);
            drop(q);
            self.notify.notify_one();
        }
    }

    /// Waits for the next key and marks it as processing; `None` once shut down.
    pub async fn get(&self) -> Option<K> {
        loop {
            {
                let mut q = self.inner.borrow_mut();
                if q.shut_down {
                    return None;
                }
                if let Some(k) = q.queue.pop_front() {
                    q.dirty.remove(&k);
                    q.processing.insert(k.clone());
                    return Some(k);
                }
            }
            self.notify.notified().await;
        }
    }

    /// Ends processing of `key`, queueing it again if it was added meanwhile.
    pub fn done(&self, key: &K) {
        let mut q = self.inner.borrow_mut();
        q.processing.remove(key);
        if q.dirty.contains(key) {
            q.queue.push_back(key.clone());
            drop(q);
            self.notify.notify_one();
        }
    }

    /// Keys waiting (not counting those being processed).
    pub fn len(&self) -> usize {
        self.inner.borrow().queue.len()
    }

    /// Whether no key is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys being processed.
    pub fn processing(&self) -> usize {
        self.inner.borrow().processing.len()
    }

    /// Wakes every worker with `None`.
    pub fn shut_down(&self) {
        self.inner.borrow_mut().shut_down = true;
        self.notify.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_each_key_once() {
        let q = WorkQueue::default();
        for k in [1, 2, 1, 1, 3, 2] {
            q.add(k);
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.get().await, Some(1));
        assert_eq!(q.get().await, Some(2));
        assert_eq!(q.get().await, Some(3));
        assert!(q.is_empty());
    }

    #[tokio::test]
    async fn key_re_added_while_processing_comes_back_after_done_only() {
        let q = WorkQueue::default();
        q.add("a");
        assert_eq!(q.get().await, Some("a"));
        q.add("a");
        q.add("a");
        // Not handed to a second worker while the first still holds it.
        assert!(q.is_empty());
        q.add("b");
        assert_eq!(q.get().await, Some("b"));
        q.done(&"a");
        assert_eq!(q.len(), 1);
        assert_eq!(q.get().await, Some("a"));
        q.done(&"a");
        q.done(&"b");
        assert!(q.is_empty() && q.processing() == 0);
    }

    #[tokio::test]
    async fn shut_down_releases_waiters() {
        let q = std::rc::Rc::new(WorkQueue::<u8>::default());
        let local = tokio::task::LocalSet::new();
        let q2 = q.clone();
        let h = local.spawn_local(async move { q2.get().await });
        local
            .run_until(async {
                tokio::task::yield_now().await;
                q.shut_down();
                assert_eq!(h.await.unwrap(), None);
            })
            .await;
    }
}
