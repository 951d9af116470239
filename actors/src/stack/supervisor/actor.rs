//! The supervisor actor of one stack (an Ingress group, or an NLB Service): told when something the stack is
//! built from changed, it runs one reconcile at a time when its core says so.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix::prelude::*;
use tokio::time::Instant;
use tracing::{debug, warn};

use super::core::{Step, SupervisorConfig, SupervisorCore};
use crate::stack::StackId;

/// One reconcile's future: `Err` carries why it failed (already reported on the objects; logged here).
pub type ReconcileFuture = Pin<Box<dyn Future<Output = Result<Outcome, String>>>>;

/// What a reconcile that succeeded left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The stack serves its objects; the supervisor keeps watching over it.
    Serving,
    /// Nothing of the stack is left and no object wants it: the supervisor may be stopped.
    Gone,
}

/// The work of one reconcile: build the model, read what AWS holds, plan, apply, write status and Events.
/// The daemon implements it for Ingress groups and NLB Services; tests use fakes.
pub trait StackWork: 'static {
    /// Brings the stack to its model once.
    fn reconcile(&self) -> ReconcileFuture;
}

/// Something the stack is built from changed (a member, a Service, a class, a params object).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Changed;

/// A supervisor whose last reconcile found its stack [`Outcome::Gone`]; its owner decides whether to stop it.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Idle(pub StackId);

/// Stops a supervisor. Its owner sends it only while no object wants the stack, so a reconcile it cuts short
/// could only have been reading.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stop;

/// Supervises one stack.
pub struct StackSupervisor<W: StackWork> {
    stack: StackId,
    core: SupervisorCore,
    work: Rc<W>,
    timer: Option<SpawnHandle>,
    idle: Option<Recipient<Idle>>,
}

impl<W: StackWork> StackSupervisor<W> {
    /// A supervisor of `stack` doing `work`; it reconciles once as soon as it starts.
    pub fn new(stack: StackId, config: SupervisorConfig, work: W) -> Self {
        StackSupervisor {
            stack,
            core: SupervisorCore::new(config, Instant::now()),
            work: Rc::new(work),
            timer: None,
            idle: None,
        }
    }

    /// Tells `owner` each time a reconcile finds the stack gone, so an idle supervisor does not resync forever.
    pub fn reporting_idle_to(mut self, owner: Option<Recipient<Idle>>) -> Self {
        self.idle = owner;
        self
    }

    fn poll(&mut self, ctx: &mut Context<Self>) {
        if let Some(t) = self.timer.take() {
            ctx.cancel_future(t);
        }
        let now = Instant::now();
        match self.core.step(now) {
            Step::Busy => {}
            Step::WaitUntil(at) => {
                self.timer = Some(ctx.run_later(at - now, |act, ctx| {
                    act.timer = None;
                    act.poll(ctx);
                }));
            }
            Step::Reconcile => {
                self.core.started();
                debug!(stack = %self.stack.id, "reconciling");
                let fut = self.work.reconcile().into_actor(self).map(|res, act, ctx| {
                    match &res {
                        Err(why) => {
                            warn!(stack = %act.stack.id, failures = act.core.failures() + 1, error = %why, "reconcile failed; retrying with backoff");
                        }
                        Ok(Outcome::Gone) => {
                            if let Some(owner) = &act.idle {
                                owner.do_send(Idle(act.stack.clone()));
                            }
                        }
                        Ok(Outcome::Serving) => {}
                    }
                    act.core.finished(Instant::now(), res.is_ok());
                    act.poll(ctx);
                });
                ctx.spawn(fut);
            }
        }
    }
}

impl<W: StackWork> Actor for StackSupervisor<W> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.poll(ctx);
    }
}

impl<W: StackWork> Handler<Stop> for StackSupervisor<W> {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl<W: StackWork> Handler<Changed> for StackSupervisor<W> {
    type Result = ();

    fn handle(&mut self, _: Changed, ctx: &mut Context<Self>) {
        self.core.changed(Instant::now());
        self.poll(ctx);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::time::Duration;

    use super::*;
    use crate::stack::StackKind;

    /// Reconciles that take `took`, fail while `failing` > 0, and log when each started.
    #[derive(Clone, Default)]
    struct Fake {
        started: Rc<RefCell<Vec<Instant>>>,
        failing: Rc<RefCell<u32>>,
        running: Rc<RefCell<u32>>,
        overlapped: Rc<RefCell<bool>>,
        gone: Rc<RefCell<bool>>,
    }

    impl StackWork for Fake {
        fn reconcile(&self) -> ReconcileFuture {
            let me = self.clone();
            Box::pin(async move {
                me.started.borrow_mut().push(Instant::now());
                *me.running.borrow_mut() += 1;
                if *me.running.borrow() > 1 {
                    *me.overlapped.borrow_mut() = true;
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
                *me.running.borrow_mut() -= 1;
                let mut failing = me.failing.borrow_mut();
                if *failing > 0 {
                    *failing -= 1;
                    return Err("AWS said no".into());
                }
                Ok(if *me.gone.borrow() {
                    Outcome::Gone
                } else {
                    Outcome::Serving
                })
            })
        }
    }

    fn run(test: impl std::future::Future<Output = ()>) {
        actix_rt::System::with_tokio_rt(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .expect("a paused runtime builds")
        })
        .block_on(test);
    }

    fn start(fake: &Fake) -> (Addr<StackSupervisor<Fake>>, Instant) {
        let stack = StackId {
            kind: StackKind::Ingress,
            id: "shop".into(),
        };
        let t0 = Instant::now();
        let config = SupervisorConfig {
            resync: None,
            ..SupervisorConfig::default()
        };
        (
            StackSupervisor::new(stack, config, fake.clone()).start(),
            t0,
        )
    }

    fn offsets(fake: &Fake, t0: Instant) -> Vec<f64> {
        let started = fake.started.borrow();
        started.iter().map(|t| (*t - t0).as_secs_f64()).collect()
    }

    #[test]
    fn a_burst_of_edits_is_one_reconcile_and_edits_during_one_are_one_more() {
        run(async {
            let fake = Fake::default();
            let (sup, t0) = start(&fake);
            tokio::time::sleep(Duration::from_secs(10)).await;
            for _ in 0..20 {
                sup.do_send(Changed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(600)).await;
            // The second reconcile (at 10.5 s) runs 2 s; these edits fall inside it.
            for _ in 0..5 {
                sup.do_send(Changed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
            assert_eq!(offsets(&fake, t0), [0.0, 10.5, 12.5]);
            assert!(!*fake.overlapped.borrow(), "two reconciles ran at once");
        });
    }

    #[test]
    fn a_failing_stack_is_retried_with_backoff_until_it_converges() {
        run(async {
            let fake = Fake::default();
            *fake.failing.borrow_mut() = 3;
            let (_sup, t0) = start(&fake);
            tokio::time::sleep(Duration::from_secs(60)).await;
            // Each try takes 2 s, then waits 1, 2, 4 s.
            assert_eq!(offsets(&fake, t0), [0.0, 3.0, 7.0, 13.0]);
        });
    }

    /// Collects the Idle reports of supervisors.
    #[derive(Default)]
    struct Owner(Rc<RefCell<Vec<String>>>);

    impl Actor for Owner {
        type Context = Context<Self>;
    }

    impl Handler<Idle> for Owner {
        type Result = ();

        fn handle(&mut self, msg: Idle, _: &mut Context<Self>) {
            self.0.borrow_mut().push(msg.0.id);
        }
    }

    #[test]
    fn a_stack_found_gone_is_reported_idle_and_stops_when_told() {
        run(async {
            let fake = Fake::default();
            let reports = Rc::new(RefCell::new(Vec::new()));
            let owner = Owner(reports.clone()).start();
            let (sup, _) = start(&fake);
            tokio::time::sleep(Duration::from_secs(5)).await;
            assert!(reports.borrow().is_empty(), "a serving stack is not idle");
            *fake.gone.borrow_mut() = true;
            let stack = StackId {
                kind: StackKind::Ingress,
                id: "shop".into(),
            };
            let sup2 = StackSupervisor::new(stack, SupervisorConfig::default(), fake.clone())
                .reporting_idle_to(Some(owner.recipient()))
                .start();
            tokio::time::sleep(Duration::from_secs(5)).await;
            assert_eq!(*reports.borrow(), ["shop"]);
            sup2.do_send(Stop);
            tokio::time::sleep(Duration::from_secs(1)).await;
            assert!(!sup2.connected(), "the supervisor stopped");
            assert!(sup.connected(), "the other one runs on");
        });
    }
}
