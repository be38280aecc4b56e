//! A TCP proxy between one gate and the office, so the rehearsal can cut
//! that gate off: `refuse` (connections reset, new ones refused at once, as
//! a pulled cable with the switch still answering) or `blackhole` (nothing
//! answers and nothing fails, as a dead link: the gate's own timeouts must
//! notice). Healing resets whatever was held, so the gate reconnects.
//! `Slow` keeps the link up but holds what the gate sends for a while (a
//! congested venue network): the office sees the gate's clock late and
//! its records arrive after other gates' later ones.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the link does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Open,
    Refuse,
    Blackhole,
    /// Up, but what the gate sends reaches the office this late.
    Slow(Duration),
}

#[derive(Default)]
struct State {
    link: Option<Link>,
    /// Both ends of every connection, to cut them.
    live: Vec<TcpStream>,
}

/// A running proxy on 127.0.0.1.
pub struct Proxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Proxy {
    /// Listens on a free port and forwards to `127.0.0.1:upstream`.
    pub fn start(upstream: u16) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State {
            link: Some(Link::Open),
            live: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let link = shared
                    .lock()
                    .map(|s| s.link.unwrap_or(Link::Open))
                    .unwrap_or(Link::Open);
                match link {
                    Link::Refuse => {
                        let _ = client.shutdown(Shutdown::Both);
                    }
                    Link::Blackhole => {
                        // Held open, never answered: read and drop.
                        if let Ok(c) = client.try_clone() {
                            if let Ok(mut s) = shared.lock() {
                                s.live.push(c);
                            }
                        }
                        let sink_state = Arc::clone(&shared);
                        std::thread::spawn(move || drain(client, sink_state));
                    }
                    Link::Open | Link::Slow(_) => {
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            let _ = client.shutdown(Shutdown::Both);
                            continue;
                        };
                        // Small messages both ways: no waiting to fill a
                        // segment.
                        let _ = client.set_nodelay(true);
                        let _ = server.set_nodelay(true);
                        for s in [&client, &server] {
                            if let (Ok(c), Ok(mut st)) = (s.try_clone(), shared.lock()) {
                                st.live.push(c);
                            }
                        }
                        pipe(&client, &server, Arc::clone(&shared), true);
                        pipe(&server, &client, Arc::clone(&shared), false);
                    }
                }
            }
        });
        Ok(Proxy { port, state })
    }

    /// Cuts, or heals, the link. Cutting with `Refuse` resets every open
    /// connection; healing resets what a black hole held.
    pub fn set(&self, link: Link) {
        let Ok(mut s) = self.state.lock() else { return };
        let before = s.link;
        s.link = Some(link);
        if link == Link::Refuse || (link == Link::Open && before == Some(Link::Blackhole)) {
            for c in s.live.drain(..) {
                let _ = c.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Copies `from` to `to` while the link is open; in a black hole the bytes
/// are dropped and nothing comes back. On a slow link what the gate sends
/// (`upstream`) is held for the delay, in order.
fn pipe(from: &TcpStream, to: &TcpStream, state: Arc<Mutex<State>>, upstream: bool) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
    let writer_from = from.try_clone();
    std::thread::spawn(move || {
        for (due, bytes) in rx {
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        if let Ok(f) = writer_from {
            let _ = f.shutdown(Shutdown::Both);
        }
    });
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let link = state
                .lock()
                .map(|s| s.link.unwrap_or(Link::Open))
                .unwrap_or(Link::Open);
            let due = match link {
                Link::Slow(d) if upstream => Instant::now() + d,
                Link::Open | Link::Slow(_) => Instant::now(),
                Link::Blackhole => continue,
                Link::Refuse => break,
            };
            if tx.send((due, buf[..n].to_vec())).is_err() {
                break;
            }
        }
        let _ = from.shutdown(Shutdown::Both);
    });
}

fn drain(mut c: TcpStream, _state: Arc<Mutex<State>>) {
    let _ = c.set_read_timeout(Some(Duration::from_secs(3600)));
    let mut buf = [0u8; 4096];
    while matches!(c.read(&mut buf), Ok(n) if n > 0) {}
}

/// The links between one gate and each of the office's servers, cut and
/// healed together.
pub struct Links(pub Vec<Proxy>);

impl Links {
    pub fn set(&self, link: Link) {
        for p in &self.0 {
            p.set(link);
        }
    }
}
