//! `HttpModel`: an `ElbModel` on a thread of its own, in real time, served over HTTP/1.1 to a separate process.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tgsync_actors::domain::{Target, TargetGroupKey};
use tgsync_actors::elb::{ElbError, ElbTargets};
use tokio::sync::{mpsc, oneshot};

use super::request::{parse_request, ElbRequest};
use super::response;
use crate::model::{Call, ElbModel, ModelConfig, StackCall};

/// Largest request body read: a RegisterTargets of 200 targets is about 15 KB.
const MAX_BODY: usize = 1 << 20;

/// The ELB model served over HTTP on a thread of its own; dropping it stops the server.
pub struct HttpModel {
    addr: SocketAddr,
    started: std::time::Instant,
    commands: mpsc::UnboundedSender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What the model has answered so far, and what it is still answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activity {
    /// Target calls answered (ledger rows).
    pub calls: usize,
    /// Register/deregister calls accepted and not yet answered.
    pub in_flight: usize,
}

/// The server's thread is gone (it panicked or was stopped).
#[derive(Debug, thiserror::Error)]
#[error("the HTTP ELB model has stopped")]
pub struct ModelGone;

enum Command {
    Registered(oneshot::Sender<HashMap<TargetGroupKey, HashSet<Target>>>),
    Activity(oneshot::Sender<Activity>),
    Ledgers(oneshot::Sender<(Vec<Call>, Vec<StackCall>)>),
}

impl HttpModel {
    /// Starts a model configured with `config` holding the (empty) target groups `tgs`, listening on `addr`
    /// (port 0: any free one). Its clock starts now, in real time.
    pub fn start(
        config: ModelConfig,
        tgs: Vec<TargetGroupKey>,
        addr: SocketAddr,
    ) -> std::io::Result<HttpModel> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (commands, rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("elb-model-http".into())
            .spawn(move || serve(config, tgs, addr, ready_tx, rx))?;
        let (addr, started) = ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the HTTP ELB model's thread ended at start"))??;
        Ok(HttpModel {
            addr,
            started,
            commands,
            thread: Some(thread),
        })
    }

    /// The endpoint URL to give an AWS SDK (`http://127.0.0.1:<port>`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The instant the model's ledger times count from.
    pub fn started(&self) -> std::time::Instant {
        self.started
    }

    /// The registered (not draining) targets of every target group.
    pub async fn registered(&self) -> Result<HashMap<TargetGroupKey, HashSet<Target>>, ModelGone> {
        self.ask(Command::Registered).await
    }

    /// How many calls it has answered and how many are in flight.
    pub async fn activity(&self) -> Result<Activity, ModelGone> {
        self.ask(Command::Activity).await
    }

    /// Every target call and every stack call (`DescribeTargetGroups`) answered so far.
    pub async fn ledgers(&self) -> Result<(Vec<Call>, Vec<StackCall>), ModelGone> {
        self.ask(Command::Ledgers).await
    }

    async fn ask<T>(&self, command: fn(oneshot::Sender<T>) -> Command) -> Result<T, ModelGone> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(command(tx)).map_err(|_| ModelGone)?;
        rx.await.map_err(|_| ModelGone)
    }
}

impl Drop for HttpModel {
    fn drop(&mut self) {
        // A closed channel ends the server loop.
        let (closed, _) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.commands, closed));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type Ready = std::io::Result<(SocketAddr, std::time::Instant)>;

/// The server thread: a current-thread runtime, since the model is single-threaded (`Rc`).
fn serve(
    config: ModelConfig,
    tgs: Vec<TargetGroupKey>,
    addr: SocketAddr,
    ready: std::sync::mpsc::Sender<Ready>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let model = ElbModel::new(config, tgs);
        let bound = listener.local_addr().map(|a| (a, model.start().into_std()));
        if ready.send(bound).is_err() {
            return;
        }
        let requests = Rc::new(Cell::new(0u64));
        loop {
            tokio::select! {
                conn = listener.accept() => match conn {
                    Ok((stream, _)) => {
                        let (model, requests) = (model.clone(), requests.clone());
                        tokio::task::spawn_local(connection(stream, model, requests));
                    }
                    Err(e) => tracing::warn!(error = %e, "HTTP ELB model: accept failed"),
                },
                cmd = commands.recv() => match cmd {
                    Some(cmd) => answer(&model, cmd),
                    None => break,
                },
            }
        }
    });
}

fn answer(model: &ElbModel, cmd: Command) {
    match cmd {
        Command::Registered(tx) => {
            let _ = tx.send(model.registered_all());
        }
        Command::Activity(tx) => {
            let _ = tx.send(Activity {
                calls: model.ledger_len(),
                in_flight: model.mutating_in_flight(),
            });
        }
        Command::Ledgers(tx) => {
            let _ = tx.send((model.ledger(), model.stack_ledger()));
        }
    }
}

async fn connection(stream: tokio::net::TcpStream, model: ElbModel, requests: Rc<Cell<u64>>) {
    let service = hyper::service::service_fn(move |req| {
        let n = requests.get() + 1;
        requests.set(n);
        let model = model.clone();
        async move { Ok::<_, Infallible>(handle(model, req, n).await) }
    });
    if let Err(e) = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(error = %e, "HTTP ELB model: connection ended");
    }
}

/// One request: read, parse, call the model, answer XML.
async fn handle(model: ElbModel, req: Request<Incoming>, n: u64) -> Response<Full<Bytes>> {
    let id = format!("model-{n:08}");
    let form = match *req.method() {
        Method::POST => match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(body) => body.to_bytes(),
            Err(e) => {
                let msg = format!("cannot read the request body ({e}); at most {MAX_BODY} bytes");
                return reply(
                    StatusCode::BAD_REQUEST,
                    response::error("MalformedQueryString", &msg, &id),
                    &id,
                );
            }
        },
        Method::GET => Bytes::from(req.uri().query().unwrap_or_default().to_owned()),
        ref m => {
            let msg = format!("method {m} is not served: send a POST of a form-encoded query");
            return reply(
                StatusCode::METHOD_NOT_ALLOWED,
                response::error("InvalidAction", &msg, &id),
                &id,
            );
        }
    };
    let request = match parse_request(&form) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(code = e.code, message = %e.message, "HTTP ELB model: bad request");
            return reply(
                StatusCode::BAD_REQUEST,
                response::error(e.code, &e.message, &id),
                &id,
            );
        }
    };
    let action = request.action();
    match call(&model, request).await {
        Ok(result) => reply(StatusCode::OK, response::success(action, &result, &id), &id),
        Err((status, code, message)) => reply(status, response::error(code, &message, &id), &id),
    }
}

type Refusal = (StatusCode, &'static str, String);

async fn call(model: &ElbModel, request: ElbRequest) -> Result<String, Refusal> {
    match request {
        ElbRequest::RegisterTargets { tg, targets } => {
            model.register(&tg, targets).await.map_err(refusal)?;
            Ok(String::new())
        }
        ElbRequest::DeregisterTargets { tg, targets } => {
            model.deregister(&tg, targets).await.map_err(refusal)?;
            Ok(String::new())
        }
        ElbRequest::DescribeTargetHealth { tg, targets } => {
            let mut rows = model.describe_health(&tg).await.map_err(refusal)?;
            if !targets.is_empty() {
                rows.retain(|r| targets.contains(&r.target));
            }
            Ok(response::target_health(&rows))
        }
        ElbRequest::DescribeTargetGroups { names, arns } => {
            let tgs = model
                .describe_target_groups(names, arns)
                .await
                .map_err(|e| (StatusCode::BAD_REQUEST, e.code, e.message))?;
            Ok(response::target_groups(&tgs, model.health_check()))
        }
    }
}

/// How an error of the model reads on the wire: the codes the SDK adapter classifies.
fn refusal(e: ElbError) -> Refusal {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        ElbError::Throttled => (bad, "Throttling", "Rate exceeded".into()),
        ElbError::TargetGroupNotFound(m) => (bad, "TargetGroupNotFound", m),
        ElbError::InvalidTarget(m) => (bad, "InvalidTarget", m),
        ElbError::QuotaExceeded(m) => match m.split_once(": ") {
            Some(("TooManyTargets", rest)) => (bad, "TooManyTargets", rest.to_owned()),
            Some(("TooManyRegistrationsForTargetId", rest)) => {
                (bad, "TooManyRegistrationsForTargetId", rest.to_owned())
            }
            _ => (bad, "TooManyTargets", m),
        },
        ElbError::Other(m) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", m),
    }
}

fn reply(status: StatusCode, body: String, id: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/xml"),
    );
    if let Ok(v) = hyper::header::HeaderValue::from_str(id) {
        headers.insert("x-amzn-requestid", v);
    }
    r
}
