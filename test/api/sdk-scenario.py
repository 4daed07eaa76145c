"""docker-py against `wharf serve`: pull, create with a port binding, start, logs (demuxed),
exec with output, inspect, stop, remove. argv: socket path, image reference in a registry.
Prints one line per step; the test reads them."""
import sys
import docker

sock, ref = sys.argv[1], sys.argv[2]
c = docker.DockerClient(base_url=f"unix://{sock}", version="1.41")
print("ping", c.ping())
img = c.images.pull(ref)
print("pulled", ref in img.tags)
ctr = c.containers.create(ref, ["sh", "-c", "echo out; sleep 0.1; echo err >&2; httpd -f -p 80"], ports={"80/tcp": ("127.0.0.1", None)}, name="api-py")
ctr.start()
ctr.reload()
print("status", ctr.status)
print("port", bool(ctr.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]))
for _ in range(50):
    if c.api.logs(ctr.id, stdout=False, stderr=True):
        break
    import time; time.sleep(0.1)
print("stdout", c.api.logs(ctr.id, stdout=True, stderr=False).decode().strip())
print("stderr", c.api.logs(ctr.id, stdout=False, stderr=True).decode().strip())
code, (out, err) = ctr.exec_run(["sh", "-c", "echo eo; echo ee >&2; exit 2"], demux=True)
print("exec", code, out.decode().strip(), err.decode().strip())
print("image", ctr.attrs["Config"]["Image"] == ref)
ctr.stop(timeout=1)
ctr.reload()
print("stopped", ctr.status)
ctr.remove()
print("gone", not [x for x in c.containers.list(all=True) if x.name == "api-py"])
