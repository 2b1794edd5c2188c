"""``lms.redis_cache.RedisCache`` against a real Redis: Django's cache API,
with one client per connection pool shared by every call and thread."""

import threading

import pytest

from lms.redis_cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    backend.clear()
    yield backend
    backend.clear()


def test_it_stores_reads_counts_and_deletes_like_djangos(redis_cache):
    redis_cache.set("session", {"user": 7, "名字": "王秀英"}, timeout=30)
    assert redis_cache.get("session") == {"user": 7, "名字": "王秀英"}
    assert redis_cache.get_or_set("version", 41) == 41
    assert redis_cache.incr("version") == 42
    assert redis_cache.add("version", 1) is False
    redis_cache.delete("session")
    assert redis_cache.get("session", "gone") == "gone"


def test_every_call_and_thread_shares_one_client(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    seen, errors = [], []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"k{n}", i)
                assert redis_cache.get(f"k{n}") == i
            seen.append(redis_cache._cache.get_client())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(other is client for other in seen)
