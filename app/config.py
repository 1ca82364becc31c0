"""One Settings class: every knob is a DVK_* environment variable (or a line in .env)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me"
VAR_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVK_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{VAR_DIR / 'dvk.sqlite3'}"
    secret_key: str = DEFAULT_SECRET
    demo: bool = False
    admin_username: str | None = None
    admin_password: str | None = None
    # A bearer token from /api/v1/auth/token lives this long.
    token_ttl_minutes: int = 12 * 60
    # Bodies above this are refused with 413 before they are parsed.
    max_body_bytes: int = 1_000_000
    # Imported files (a province's year of contributions is some megabytes).
    max_upload_bytes: int = 50_000_000
    # How long a writer waits for another writer before the answer is 503 "busy": SQLite's
    # busy timeout and writers' queue, PostgreSQL's lock_timeout (the name is from before).
    sqlite_busy_timeout_ms: int = 15_000
    # Argon2id cost (RFC 9106's second recommended option by default); tests lower it.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    # How many hashes a server process works out at once, each taking argon2_memory_kib while
    # it runs; more sign-ins wait their turn (app.services.passwords).
    argon2_at_once: int = Field(default=1, ge=1)
    # How long a thread may hold the GIL before another that waits gets it (Python's default is
    # 5 ms). Requests run in a thread pool beside the event loop: with 5 ms a short request that
    # arrives while a write is computing waits in 5 ms steps (bench/README.md, dashboards).
    gil_switch_interval_ms: float = Field(default=1.0, gt=0, le=100)
    # Once a second, when a server process's resident memory has grown by this many MB since
    # it last did, it asks the C allocator to hand back the memory freed since (glibc's
    # malloc_trim), which it otherwise keeps after a large download; 0: never.
    malloc_trim_mb: int = Field(default=8, ge=0)

    @model_validator(mode="after")
    def _secret_required_outside_demo(self) -> "Settings":
        if not self.demo and self.secret_key in ("", DEFAULT_SECRET):
            raise ValueError(
                "DVK_SECRET_KEY is not set. Set it to a long random string, e.g. "
                "DVK_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set DVK_DEMO=1 to run the demo with a throwaway key."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
