// Assembly Press: the enrolment page and the ballot page (docs/online-ballots.md).
//
// One script for both pages, no framework, nothing fetched: everything the page needs is in its
// <script type="application/json" id="ballot-data">, written by the build. The passkey never leaves
// the phone; what leaves the page is an OpenSSH public key line (enrolment) or a ballot file — the
// envelope the member signed and an SSH signature that `ssh-keygen -Y verify` checks (casting).
"use strict";
(() => {
  const NAMESPACE = "assembly-press";
  const ENVELOPE = "assembly-press signed record v1";
  const SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com";
  const WEBAUTHN = "webauthn-sk-ecdsa-sha2-nistp256@openssh.com";
  const STORE = "assembly-press.ballots";
  // SubjectPublicKeyInfo of a P-256 key, up to the 65-byte uncompressed point (RFC 5480).
  const P256_SPKI = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
  const UP = 0x01, UV = 0x04;
  const utf8 = new TextEncoder();

  // ------------------------------------------------------------------ bytes and the SSH wire format
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  const bytes = (buffer) => new Uint8Array(buffer instanceof ArrayBuffer ? buffer : buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  const text = (s) => utf8.encode(s);
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  function uint32(n) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b; }
  const string = (b) => concat(uint32(b.length), typeof b === "string" ? text(b) : b);
  function mpint(b) {  // RFC 4251: no leading zeros, a zero byte before a set high bit
    let i = 0;
    while (i < b.length && b[i] === 0) i++;
    b = b.slice(i);
    return string(b.length && b[0] & 0x80 ? concat(new Uint8Array([0]), b) : b);
  }
  function base64(b) {
    let s = "";
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function unbase64(s) {
    const raw = atob(s);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  const base64url = (b) => base64(b).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  async function digest(name, b) { return new Uint8Array(await crypto.subtle.digest(name, b)); }

  function reader(b) {
    let at = 0;
    const take = (n) => {
      if (n > b.length - at) throw new Error("truncated");
      const out = b.subarray(at, at + n);
      at += n;
      return out;
    };
    return {
      take,
      uint32: () => new DataView(take(4).slice().buffer).getUint32(0),
      string() { return take(this.uint32()); },
      text() { return new TextDecoder().decode(this.string()); },
      done: () => at === b.length,
    };
  }

  // ------------------------------------------------------------------ keys

  // The OpenSSH key blob of a passkey: string type, string curve, string Q, string application.
  const skKeyBlob = (point, application) => concat(string(SK_ECDSA), string("nistp256"), string(point), string(application));
  const keyLine = (blob) => `${SK_ECDSA} ${base64(blob)}`;
  async function fingerprint(blob) {  // as `ssh-keygen -l` prints it
    return "SHA256:" + base64(await digest("SHA-256", blob)).replace(/=+$/, "");
  }

  // A roster key line as {blob, point, application}, or null when it is not a passkey key.
  function parseSkKey(line) {
    const parts = String(line).trim().split(/\s+/);
    if (parts[0] !== SK_ECDSA || parts.length < 2) return null;
    try {
      const blob = unbase64(parts[1]);
      const r = reader(blob);
      if (r.text() !== SK_ECDSA || r.text() !== "nistp256") return null;
      const point = r.string().slice();
      const application = r.text();
      if (!r.done() || point.length !== 65 || point[0] !== 4) return null;
      return { blob, point, application };
    } catch (error) {
      return null;
    }
  }

  // ------------------------------------------------------------------ ECDSA signatures
  function derIntegers(der) {  // SEQUENCE { INTEGER r, INTEGER s }
    const r = reader(der);
    const tag = () => r.take(1)[0];
    const length = () => {
      let n = r.take(1)[0];
      if (n & 0x80) { let v = 0; for (const x of r.take(n & 0x7f)) v = v * 256 + x; n = v; }
      return n;
    };
    if (tag() !== 0x30) throw new Error("not a DER signature");
    length();
    const out = [];
    for (let i = 0; i < 2; i++) {
      if (tag() !== 0x02) throw new Error("not a DER signature");
      out.push(r.take(length()).slice());
    }
    return out;
  }
  function fixed32(b) {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    b = b.slice(i);
    return b.length > 32 ? null : concat(new Uint8Array(32 - b.length), b);
  }
  async function signedBy(point, der, signed) {
    const [r, s] = derIntegers(der).map(fixed32);
    if (!r || !s) return false;
    const key = await crypto.subtle.importKey("raw", point, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, concat(r, s), signed);
  }

  // ------------------------------------------------------------------ the ballot: envelope and SSHSIG

  // Exactly press.ballot_records.cast_message: one `name: value` a line, each ending in a newline.
  function envelope(data, voter, choice, sequence) {
    return text(
      `${ENVELOPE}\nnamespace: ${NAMESPACE}\nbody: ${data.body}\nsitting: ballot ${data.ballot}\n` +
      `record: ${data.record}\nvoter: ${voter}\nchoice: ${choice}\nsequence: ${sequence}\ndigest: ${data.digest}\n`,
    );
  }
  // What an SSHSIG signs (PROTOCOL.sshsig): the magic, namespace, reserved, hash and the message's hash.
  async function sshsigSignedData(message) {
    return concat(text("SSHSIG"), string(NAMESPACE), string(""), string("sha512"), string(await digest("SHA-512", message)));
  }
  function armor(blob) {
    const lines = base64(blob).match(/.{1,70}/g);
    return `-----BEGIN SSH SIGNATURE-----\n${lines.join("\n")}\n-----END SSH SIGNATURE-----\n`;
  }
  // The assertion as OpenSSH's webauthn-sk-ecdsa signature, inside an SSHSIG, armored.
  function sshsig(keyBlob, assertion, origin) {
    const auth = bytes(assertion.authenticatorData);
    const [r, s] = derIntegers(bytes(assertion.signature));
    const signature = concat(
      string(WEBAUTHN),
      string(concat(mpint(r), mpint(s))),
      auth.subarray(32, 33),  // flags
      auth.subarray(33, 37),  // counter
      string(origin),
      string(bytes(assertion.clientDataJSON)),
      string(auth.subarray(37)),  // extensions
    );
    return armor(concat(text("SSHSIG"), uint32(1), string(keyBlob), string(NAMESPACE), string(""), string("sha512"), string(signature)));
  }

  // ------------------------------------------------------------------ this phone's copies
  function stored() {
    try {
      const list = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }
  function keep(entry) {
    try {
      localStorage.setItem(STORE, JSON.stringify([...stored(), entry]));
      return true;
    } catch (error) {
      return false;  // private browsing or a full store: the member still has the file on screen
    }
  }
  const mine = (data, voter) => stored().filter((e) => e.origin === data.origin && e.body === data.body && e.ballot === data.ballot && (!voter || e.voter === voter));

  // ------------------------------------------------------------------ the page
  const $ = (id) => document.getElementById(id);
  function say(id, message, kind) {
    const el = $(id);
    if (!el) return;
    el.textContent = message;
    el.hidden = !message;
    if (kind) el.dataset.kind = kind;
  }
  function readData() {
    const el = $("ballot-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  // Passkeys are bound to the press's own origin: anywhere else they would be the wrong keys.
  function wrongOrigin(data) {
    if (!data.origin) return "This press offers no online ballots: its editors have not given it its own web address (ballots: origin in editorial/press.yml).";
    // Framed by another page (clickjacking): the press would refuse what is signed here anyway.
    if (window.top !== window.self) return `This page is shown inside another page. Open ${data.origin} yourself to vote or enrol.`;
    if (location.origin === data.origin) return "";
    return `This page is at ${location.origin}, not at the press's own address ${data.origin}. ` +
      `Passkeys made or used here would not count: open ${data.origin} instead.`;
  }
  function noPasskeys() {
    if (window.PublicKeyCredential && navigator.credentials && window.crypto && crypto.subtle) return "";
    return "This browser cannot use passkeys here. Use a current browser on your phone (Safari, Chrome, Firefox, Samsung Internet).";
  }
  function failure(error) {
    if (error && error.name === "NotAllowedError") return "Nothing was signed: the passkey request was cancelled or timed out. Try again when you are ready.";
    if (error && error.name === "InvalidStateError") return "This phone already holds a passkey for this press that cannot be made again.";
    return `Something went wrong: ${error && error.message ? error.message : error}`;
  }

  // ------------------------------------------------------------------ enrolment
  async function enrol(data) {
    const button = $("enrol-create");
    const problem = wrongOrigin(data) || noPasskeys();
    if (problem) {
      say("enrol-status", problem, "error");
      button.disabled = true;
      return;
    }
    button.addEventListener("click", async () => {
      button.disabled = true;
      say("enrol-status", "Confirm with Face ID, your fingerprint or your phone's PIN…", "");
      try {
        const name = ($("enrol-name").value || "").trim() || "Assembly Press member";
        const credential = await navigator.credentials.create({
          publicKey: {
            rp: { id: data.rp_id, name: (document.querySelector(".site-name") || document).textContent.trim() || data.rp_id },
            user: { id: crypto.getRandomValues(new Uint8Array(16)), name, displayName: name },
            challenge: crypto.getRandomValues(new Uint8Array(32)),  // attestation is not used: the editor compares the fingerprint
            pubKeyCredParams: [{ type: "public-key", alg: -7 }],
            authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
            attestation: "none",
            timeout: 180000,
          },
        });
        const response = credential.response;
        if (typeof response.getPublicKey !== "function") throw new Error("this browser does not give the passkey's public key: use a current browser");
        if (response.getPublicKeyAlgorithm() !== -7) throw new Error("the passkey is not an ES256 (P-256) key");
        const spki = bytes(response.getPublicKey());
        if (spki.length !== 91 || hex(spki.subarray(0, 26)) !== P256_SPKI) throw new Error("the passkey's public key is not a P-256 key");
        const blob = skKeyBlob(spki.slice(26), data.rp_id);
        $("enrol-key").value = keyLine(blob);
        $("enrol-fingerprint").textContent = await fingerprint(blob);
        $("enrol-result").hidden = false;
        say("enrol-status", "Your voting passkey is made. Show the fingerprint below to an editor.", "ok");
        $("enrol-result-heading").focus();
      } catch (error) {
        say("enrol-status", failure(error), "error");
        button.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------ casting
  function chosen(data, form) {
    // {choice, words} or {problem}
    const name = (id) => (data.options.find((o) => o.id === id) || { name: id }).name;
    if (data.kind === "motion") {
      const picked = form.querySelector("input[name=choice]:checked");
      if (!picked) return { problem: "Choose how you vote." };
      return { choice: picked.value, words: name(picked.value) };
    }
    if (data.kind === "approval") {
      const ids = Array.from(form.querySelectorAll("input[name=approve]:checked"), (el) => el.value);
      const ordered = data.options.map((o) => o.id).filter((id) => ids.includes(id));
      if (!ordered.length) return { choice: "abstain", words: "You abstain: you approve none of the options." };
      return { choice: ordered.join(", "), words: `You approve: ${ordered.map(name).join("; ")}.` };
    }
    const ranks = Array.from(form.querySelectorAll("select[name=rank]"), (el) => el.value);
    const last = ranks.reduce((n, v, i) => (v ? i + 1 : n), 0);
    const ids = ranks.slice(0, last);
    if (ids.some((v) => !v)) return { problem: `Your choice number ${ids.indexOf("") + 1} is empty: fill your choices in order, from the first.` };
    const twice = ids.find((v, i) => ids.indexOf(v) !== i);
    if (twice) return { problem: `You ranked “${name(twice)}” more than once: rank each option at most once.` };
    if (!ids.length) return { choice: "abstain", words: "You abstain: you rank none of the options." };
    return { choice: ids.join(" > "), words: `Your order: ${ids.map((id, i) => `${i + 1}. ${name(id)}`).join("; ")}.` };
  }

  function nextSequence(data, voter) {
    const here = mine(data, voter).reduce((n, e) => Math.max(n, Number(e.sequence) || 0), 0);
    return Math.max(Number((data.sequences || {})[voter]) || 0, here) + 1;
  }

  function showKept(data) {
    const list = $("ballot-kept-list");
    if (!list) return;
    const entries = mine(data);
    list.replaceChildren(...entries.map((e) => {
      const item = document.createElement("li");
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      const file = document.createElement("pre");
      summary.textContent = `${e.voter}, ballot number ${e.sequence}: ${e.choice} — receipt ${e.receipt}`;
      file.textContent = e.file;
      file.tabIndex = 0;  // scrollable by keyboard
      details.append(summary, file);
      item.append(details);
      return item;
    }));
    $("ballot-kept").hidden = !entries.length;
  }

  function offer(data, file, voter) {
    const issue = $("send-issue");
    if (data.issue_url) {
      issue.href = `${data.issue_url}${data.issue_url.includes("?") ? "&" : "?"}ballot=${encodeURIComponent(file)}`;
      issue.hidden = false;
    }
    const mail = $("send-mail");
    if (data.mailto) {
      const to = data.mailto.startsWith("mailto:") ? data.mailto : `mailto:${data.mailto}`;
      const subject = `Ballot: ${data.body} ${data.ballot} (${voter})`;
      mail.href = `${to}${to.includes("?") ? "&" : "?"}subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(file)}`;
      mail.hidden = false;
    }
  }

  async function ballot(data) {
    const form = $("ballot-form");
    if (!form) { showKept(data); return; }
    const problem = wrongOrigin(data) || noPasskeys();
    if (problem) {
      say("ballot-status", problem, "error");
      form.querySelectorAll("button, input, select").forEach((el) => { el.disabled = true; });
      showKept(data);
      return;
    }
    const closes = Date.parse(data.closes);
    const voterSelect = $("ballot-voter");
    const review = $("ballot-review");
    let pending = null;
    showKept(data);

    voterSelect.addEventListener("change", () => {
      const voter = voterSelect.value;
      const entry = (data.voters || []).find((v) => v.voter === voter);
      const keys = entry ? (entry.keys || []).map(parseSkKey).filter((k) => k && k.application === data.rp_id) : [];
      $("ballot-no-key").hidden = !voter || keys.length > 0;
      say("ballot-voter-note", voter && keys.length ? `This will be your ballot number ${nextSequence(data, voter)}; a ballot with a higher number replaces it.` : "", "");
    });

    const closed = () => {
      if (!Number.isFinite(closes) || Date.now() < closes) return false;
      say("ballot-status", `Voting closed at ${data.closes_text}: a ballot cast now would not be counted.`, "error");
      return true;
    };
    // A change after the review withdraws it: only what is on screen is ever signed.
    const withdraw = () => { review.hidden = true; pending = null; };
    form.addEventListener("change", withdraw);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      withdraw();
      if (closed()) return;
      const voter = voterSelect.value;
      const entry = (data.voters || []).find((v) => v.voter === voter);
      if (!entry) { say("ballot-status", "Choose your name first.", "error"); voterSelect.focus(); return; }
      const picked = chosen(data, form);
      if (picked.problem) { say("ballot-status", picked.problem, "error"); return; }
      const keys = (entry.keys || []).map(parseSkKey).filter((k) => k && k.application === data.rp_id);
      if (!keys.length) { say("ballot-status", "No passkey of yours for this press is in the roster: you cannot sign on this page yet.", "error"); return; }
      const sequence = nextSequence(data, voter);
      pending = { voter, name: entry.name, choice: picked.choice, sequence, keys, message: envelope(data, voter, picked.choice, sequence) };
      say("ballot-status", "", "");
      $("review-who").textContent = `${entry.name} (${voter})`;
      $("review-choice").textContent = picked.words;
      $("review-envelope").value = new TextDecoder().decode(pending.message);
      review.hidden = false;
      $("review-heading").focus();
    });

    $("ballot-sign").addEventListener("click", async () => {
      if (!pending) return;
      if (closed()) { withdraw(); return; }
      const sign = $("ballot-sign");
      sign.disabled = true;
      say("ballot-status", "Confirm with Face ID, your fingerprint or your phone's PIN…", "");
      try {
        const cast = pending;
        const challenge = await sshsigSignedData(cast.message);
        const credential = await navigator.credentials.get({
          publicKey: { challenge, rpId: data.rp_id, userVerification: "required", timeout: 180000 },
        });
        const assertion = credential.response;
        const auth = bytes(assertion.authenticatorData);
        if (!(auth[32] & UP) || !(auth[32] & UV)) throw new Error("the phone did not verify you (Face ID, fingerprint or PIN): nothing was cast");
        const clientData = new TextDecoder().decode(bytes(assertion.clientDataJSON));
        const expected = `{"type":"webauthn.get","challenge":"${base64url(challenge)}","origin":"${location.origin}"`;
        if (!clientData.startsWith(expected)) throw new Error("this browser's signature is not in the form OpenSSH checks: try another browser");
        const signed = concat(auth, await digest("SHA-256", bytes(assertion.clientDataJSON)));
        let key = null;
        for (const candidate of cast.keys) {
          if (await signedBy(candidate.point, bytes(assertion.signature), signed)) { key = candidate; break; }
        }
        if (!key) throw new Error(`the passkey you used is not the one the roster lists for ${cast.voter}: nothing was cast`);
        const file = new TextDecoder().decode(cast.message) + sshsig(key.blob, assertion, location.origin);
        const receipt = "sha256:" + hex(await digest("SHA-256", text(file)));
        const kept = keep({ origin: data.origin, body: data.body, ballot: data.ballot, voter: cast.voter, sequence: cast.sequence, choice: cast.choice, receipt, file });
        $("cast-file").value = file;
        $("cast-name").textContent = `${cast.voter.replace("/", ".")}.${cast.sequence}.ballot`;
        $("cast-receipt").textContent = receipt;
        offer(data, file, cast.voter);
        $("cast").hidden = false;
        $("ballot-review").hidden = true;
        pending = null;
        say("ballot-status", kept ? "" : "This browser could not keep a copy: save the ballot file and its receipt yourself.", kept ? "" : "error");
        showKept(data);
        voterSelect.dispatchEvent(new Event("change", { bubbles: true }));  // the next ballot's number
        $("cast-heading").focus();
      } catch (error) {
        say("ballot-status", failure(error), "error");
      } finally {
        sign.disabled = false;
      }
    });

    $("cast-copy").addEventListener("click", async () => {
      const area = $("cast-file");
      try {
        await navigator.clipboard.writeText(area.value);
      } catch (error) {
        area.select();
        document.execCommand("copy");
      }
      say("cast-copied", "Copied.", "ok");
    });
  }

  const data = readData();
  if (!data) return;
  if ($("enrol-create")) enrol(data);
  else ballot(data);

  // For the tests: the page's own envelope and key functions, nothing more.
  window.assemblyPressBallot = { envelope: (v, c, s) => new TextDecoder().decode(envelope(data, v, c, s)), fingerprint, skKeyBlob, keyLine };
})();
