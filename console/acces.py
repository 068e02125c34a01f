"""Who may use the console: an operator-made users file with scrypt-hashed passwords, and signed session cookies.

A line of the users file is ``nom:scrypt$n$r$p$sel$empreinte`` (base64); make
one with ``python -m console.acces ajouter FICHIER NOM`` (the password is asked,
never written in clear). The browser signs in once and keeps a cookie signed
with HMAC-SHA256; an API client sends HTTP Basic credentials. A password
checked once is remembered for the process by an HMAC of it, so that scrypt is
not paid at every API call.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import os
import secrets
import sys
import time
from pathlib import Path

from engine.files import atomic_writer, write_new

N, R, P = 2**14, 8, 1
DUREE_SESSION = 12 * 3600  # seconds


class AccesError(Exception):
    """The users file cannot be read."""


def hacher(mot_de_passe: str, sel: bytes | None = None) -> str:
    """``scrypt$n$r$p$sel$empreinte`` for a password."""
    sel = sel or os.urandom(16)
    digest = hashlib.scrypt(mot_de_passe.encode(), salt=sel, n=N, r=R, p=P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(sel).decode()}${b64(digest).decode()}"


def verifier_hache(mot_de_passe: str, hache: str) -> bool:
    try:
        kind, n, r, p, sel, digest = hache.split("$")
        if kind != "scrypt":
            return False
        computed = hashlib.scrypt(mot_de_passe.encode(), salt=base64.b64decode(sel), n=int(n), r=int(r), p=int(p),
                                  dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def lire_utilisateurs(path: str | Path) -> dict[str, str]:
    """``{nom: hache}`` from the users file; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AccesError(f"{path}: fichier des utilisateurs illisible ({exc.strerror or exc})") from exc
    users = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name or not hashed.startswith("scrypt$") or hashed.count("$") != 5:
            raise AccesError(f"{path}, ligne {number} : attendu « nom:scrypt$… » (python -m console.acces ajouter)")
        users[name] = hashed
    if not users:
        raise AccesError(f"{path}: aucun utilisateur")
    return users


class Controle:
    """Access control of one server: who is known, and the key that signs their sessions."""

    def __init__(self, utilisateurs: dict[str, str] | None, cle: bytes):
        self.utilisateurs = utilisateurs  # None: open (loopback only)
        self.cle = cle
        self._verifies: dict[str, bytes] = {}

    @property
    def ouvert(self) -> bool:
        return self.utilisateurs is None

    def verifier(self, nom: str, mot_de_passe: str) -> bool:
        if self.utilisateurs is None or nom not in self.utilisateurs:
            return False
        tag = hmac.new(self.cle, f"{nom}\0{mot_de_passe}".encode(), hashlib.sha256).digest()
        if hmac.compare_digest(self._verifies.get(nom, b""), tag):
            return True
        if verifier_hache(mot_de_passe, self.utilisateurs[nom]):
            self._verifies[nom] = tag
            return True
        return False

    def jeton_session(self, nom: str) -> str:
        expires = int(time.time()) + DUREE_SESSION
        payload = f"{nom}|{expires}"
        signature = hmac.new(self.cle, payload.encode(), hashlib.sha256).hexdigest()
        return base64.urlsafe_b64encode(f"{payload}|{signature}".encode()).decode()

    def session(self, cookie: str | None) -> str | None:
        """The user a session cookie names, if its signature holds and it has not expired."""
        if not cookie or self.utilisateurs is None:
            return None
        try:
            nom, expires, signature = base64.urlsafe_b64decode(cookie.encode()).decode().rsplit("|", 2)
        except (ValueError, UnicodeDecodeError):
            return None
        expected = hmac.new(self.cle, f"{nom}|{expires}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature) or not expires.isdigit() or int(expires) < time.time():
            return None
        return nom if nom in self.utilisateurs else None

    def basic(self, header: str | None) -> str | None:
        """The user of an HTTP Basic ``Authorization`` header, if the password is right."""
        if not header or not header.lower().startswith("basic "):
            return None
        try:
            nom, _, mot_de_passe = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return nom if self.verifier(nom, mot_de_passe) else None


def cle_partagee(journal: str | Path) -> bytes:
    """The key that signs sessions, kept beside the journal (``<journal>.cle``, mode 600): every worker
    process of one server shares it, and a restart keeps the sessions."""
    path = Path(str(journal) + ".cle")
    if not path.exists():  # the first worker makes it; the others read the same, whole
        write_new(path, secrets.token_hex(32).encode(), permissions=0o600)
    return bytes.fromhex(path.read_text().strip())


def _ajouter(fichier: str, nom: str) -> int:
    if ":" in nom or not nom.strip():
        print("nom invalide (ni vide, ni « : »)", file=sys.stderr)
        return 1
    mot = getpass.getpass(f"Mot de passe de {nom} : ")
    if len(mot) < 8 or mot != getpass.getpass("Encore une fois : "):
        print("mots de passe différents, ou de moins de 8 caractères", file=sys.stderr)
        return 1
    path = Path(fichier)
    lines = [ln for ln in (path.read_text(encoding="utf-8").splitlines() if path.exists() else [])
             if not ln.startswith(f"{nom}:")]
    lines.append(f"{nom}:{hacher(mot)}")
    with atomic_writer(path, permissions=0o600) as out:  # password hashes: never readable by others
        out.write("\n".join(lines) + "\n")
    print(f"{nom} ajouté à {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover - an operator's tool
    if len(sys.argv) != 4 or sys.argv[1] != "ajouter":
        print("usage : python -m console.acces ajouter FICHIER NOM", file=sys.stderr)
        sys.exit(2)
    sys.exit(_ajouter(sys.argv[2], sys.argv[3]))
