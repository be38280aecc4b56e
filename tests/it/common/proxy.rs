//! A TCP proxy on loopback between kiosks and the test's PostgreSQL that
//! breaks the network on request, the ways a venue's network breaks:
//! connections closed, traffic delayed, a peer that hangs (holds what it
//! gets and answers nothing) or a black hole (swallows what it gets).
//! Traffic goes only to 127.0.0.1.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with traffic now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forwards everything.
    Pass,
    /// Closes every connection, and each new one at once.
    Close,
    /// Holds every byte and forwards nothing, until the fault ends (then
    /// the held bytes go on, as after a frozen router).
    Hang,
    /// Swallows every byte, answering nothing; when it ends, the
    /// connections that went into it are gone (as a firewall that forgot
    /// them answers the next packet with a reset).
    BlackHole,
    /// Forwards each chunk after this long.
    Delay(Duration),
}

struct Shared {
    fault: Mutex<Fault>,
    streams: Mutex<Vec<TcpStream>>,
    accepted: AtomicUsize,
    stop: AtomicBool,
}

/// The proxy: listens on a free loopback port, forwards to `upstream`.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("its port").port();
        let shared = Arc::new(Shared {
            fault: Mutex::new(Fault::Pass),
            streams: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                s.accepted.fetch_add(1, Ordering::SeqCst);
                if *s.fault.lock().unwrap() == Fault::Close {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                for st in [&client, &server] {
                    if let Ok(c) = st.try_clone() {
                        s.streams.lock().unwrap().push(c);
                    }
                }
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    let (Ok(from), Ok(to)) = (from, to) else {
                        continue;
                    };
                    let s = s.clone();
                    std::thread::spawn(move || pump(from, to, &s));
                }
            }
        });
        Proxy { port, shared }
    }

    /// Breaks (or mends) the network from now on.
    pub fn set(&self, fault: Fault) {
        *self.shared.fault.lock().unwrap() = fault;
        if fault == Fault::Close {
            for st in self.shared.streams.lock().unwrap().drain(..) {
                let _ = st.shutdown(Shutdown::Both);
            }
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// A URL like `url` with its port replaced by the proxy's.
    pub fn url(&self, url: &str, real_port: u16) -> String {
        url.replace(&format!(":{real_port}/"), &format!(":{}/", self.port))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for st in self.shared.streams.lock().unwrap().drain(..) {
            let _ = st.shutdown(Shutdown::Both);
        }
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, s: &Shared) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => {
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
            Ok(n) => n,
        };
        let mut swallowed = false;
        loop {
            if s.stop.load(Ordering::SeqCst) {
                return;
            }
            let fault = *s.fault.lock().unwrap();
            match fault {
                Fault::Pass | Fault::Delay(_) if swallowed => {
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                    return;
                }
                Fault::Pass => break,
                Fault::Delay(d) => {
                    std::thread::sleep(d);
                    break;
                }
                Fault::Hang => std::thread::sleep(Duration::from_millis(20)),
                Fault::BlackHole => {
                    swallowed = true;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Fault::Close => {
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                    return;
                }
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            let _ = from.shutdown(Shutdown::Both);
            return;
        }
    }
}
