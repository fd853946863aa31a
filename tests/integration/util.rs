//! Test helpers: [`TempCorpus`], a unique temporary directory to write reports into, with
//! its own index and cache directories, and a clean `attache` command for CLI tests.

use std::path::{Path, PathBuf};

use attache::{Index, IndexSchema, IndexSummary, SyncOptions};

pub struct TempCorpus {
    dir: tempfile::TempDir,
}

impl TempCorpus {
    pub fn new() -> TempCorpus {
        let dir = tempfile::Builder::new().prefix("attache-test-").tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("corpus")).expect("corpus dir");
        TempCorpus { dir }
    }

    /// The corpus directory (reports go here).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    /// Where an explicit index goes.
    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a report (creating parent directories).
    pub fn write(&self, name: &str, text: &str) -> &Self {
        self.write_bytes(name, text.as_bytes())
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Self {
        let path = self.root().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
        self
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.root().join(name)).expect("remove");
    }

    /// Opens (or creates) the explicit index and syncs the corpus into it, committing.
    pub fn sync(&self) -> (Index, IndexSummary) {
        let index = Index::open_or_create(&self.index_path(), IndexSchema::embedded().expect("schema")).expect("open");
        let summary = sync_into(&index, &self.root());
        (index, summary)
    }

    /// `attache` with a cleared environment and a private cache directory.
    #[cfg(feature = "cli")]
    pub fn attache(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_attache"));
        cmd.env_clear().env("ATTACHE_CACHE_DIR", self.dir.path().join("cache")).current_dir(self.dir.path());
        cmd
    }
}

pub fn sync_into(index: &Index, root: &Path) -> IndexSummary {
    let mut indexer = index.indexer().expect("indexer");
    let options = SyncOptions { stories: true, ..SyncOptions::default() };
    let summary = indexer.sync_dir(root, &options, &mut |_| {}).expect("sync");
    indexer.commit().expect("commit");
    summary
}

/// The ids of hits, in order.
pub fn ids(results: &attache::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.id.as_str()).collect()
}

/// The highlighted words of every passage of a hit, in order.
pub fn lit(hit: &attache::Hit) -> Vec<&str> {
    hit.passages
        .iter()
        .flat_map(|p| p.highlights.iter().map(move |h| &p.text[h.start - p.start..h.end - p.start]))
        .collect()
}

/// `attache serve` running on a free loopback port; stopped when dropped.
#[cfg(feature = "serve")]
pub struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The server's stderr, read to the end once it has stopped.
    stderr: Option<std::process::ChildStderr>,
}

#[cfg(feature = "serve")]
impl Server {
    /// Starts `attache serve` with `args` (an index, an address) and waits for its address.
    pub fn start(corpus: &TempCorpus, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = corpus
            .attache()
            .arg("serve")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("attache serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take();
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("the address line");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr, stderr }
    }

    /// Starts a server on the corpus's explicit index, on a free loopback port.
    pub fn on_index(corpus: &TempCorpus) -> Server {
        Server::start(corpus, &["--index", "index", "--addr", "127.0.0.1:0"])
    }

    /// The server's URL for `target` (`/api/stats`).
    pub fn url(&self, target: &str) -> String {
        format!("http://{}{target}", self.addr)
    }

    /// A bare HTTP/1.1 request: (status, lower-cased headers, body).
    pub fn request(&self, method: &str, target: &str, extra: &str) -> (u16, Vec<(String, String)>, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).expect("timeout");
        write!(stream, "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra}\r\n", self.addr)
            .expect("write");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let response = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        (status, headers, body.to_string())
    }

    /// `GET target`: (status, body).
    pub fn get(&self, target: &str) -> (u16, String) {
        let (status, _, body) = self.request("GET", target, "");
        (status, body)
    }

    /// Stops the server and returns what it wrote on stderr.
    pub fn stop(mut self) -> String {
        use std::io::Read;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut stderr) = self.stderr.take() {
            let _ = stderr.read_to_string(&mut err);
        }
        err
    }
}

#[cfg(feature = "serve")]
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
