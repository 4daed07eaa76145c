#!/usr/bin/env bash
# The main job, end to end on an embedded default (a busybox base image built from Debian's
# busybox-static): import, tag, inspect, history, save/load with the ID surviving, the seeds'
# run -> commit -> commit walkthrough with layers stacking, rmi's rules, and a round trip
# through wharf's own registry server on 127.0.0.1, and a Dockerfile build (then a cached rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WHARF_ROOT="${WHARF_ROOT:-$(mktemp -d /tmp/wharf-demo-XXXX)}"
work=$(mktemp -d /tmp/wharf-demo-work-XXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  bin/wharf rm -f commit_test commit_test2 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
w() { echo "\$ wharf $*"; bin/wharf "$@"; }

node --import tsx -e "import('./test/helpers/busybox.ts').then(m => m.makeBusyboxRootfsTar('$work')).then(p => console.log('base rootfs: ' + p))"
w import -c 'CMD ["sh"]' -m "busybox base" "$work/busybox.tar" busybox:demo
w tag busybox:demo localhost:5000/busybox:1.0
w images
w history busybox:demo
w image inspect --format '{{.Id}} layers={{json .RootFS.Layers}} cmd={{.Config.Cmd}}' busybox:demo
id=$(bin/wharf image inspect --format '{{.Id}}' busybox:demo)
w save -o "$work/busybox.tar.out" busybox:demo localhost:5000/busybox:1.0
w rmi busybox:demo localhost:5000/busybox:1.0
w load -i "$work/busybox.tar.out"
after=$(bin/wharf image inspect --format '{{.Id}}' busybox:demo)
[ "$id" = "$after" ] && echo "image ID survived save | load: $after"

echo; echo "== containers: the seeds' commit walkthrough"
w run --name commit_test --network none busybox:demo sh -c 'echo test_first! >> first'
w commit -a author -m "my first commit" commit_test commit_test:first
w run --name commit_test2 --network none commit_test:first sh -c 'echo test_second! >> second'
w commit -a author -m "my second commit" commit_test2 commit_test:second
w inspect --format '{{json .RootFS.Layers}}' commit_test:second
w history commit_test:second
w diff commit_test2
w rmi commit_test:first || echo "(refused, as docker refuses: a container uses it)"
w rm commit_test2
w rmi commit_test:second
w image analyze commit_test:first

echo; echo "== build: a Dockerfile as the seeds write one, then the same build from the cache"
mkdir -p "$work/ctx"
echo "hello from the build context" > "$work/ctx/test.html"
cat > "$work/ctx/Dockerfile" <<'EOF'
FROM busybox:demo
LABEL "purpose"="practice"
ARG greeting=hello
ENV GREETING=$greeting
WORKDIR /var/www/html
COPY test.html .
RUN echo "$GREETING, built by wharf" > built.txt
EXPOSE 80
CMD ["cat", "/var/www/html/built.txt", "/var/www/html/test.html"]
EOF
w build -t mybuild:0.0 "$work/ctx"
w build -t mybuild:0.0 "$work/ctx"
w run --rm --network none mybuild:0.0
w history mybuild:0.0

echo; echo "== registry: push to wharf's own registry, pull into a fresh root"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
bin/wharf registry serve --addr "127.0.0.1:$port" --root "$work/registry" --quiet &
registry_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
w tag commit_test:first "127.0.0.1:$port/demo/commit_test:first"
w push "127.0.0.1:$port/demo/commit_test:first"
echo "\$ curl http://127.0.0.1:$port/v2/_catalog"; curl -s "http://127.0.0.1:$port/v2/_catalog"; echo
fresh="$work/fresh-root"
echo "\$ wharf --root $fresh pull 127.0.0.1:$port/demo/commit_test:first"
bin/wharf --root "$fresh" pull "127.0.0.1:$port/demo/commit_test:first"
a=$(bin/wharf image inspect --format '{{.Id}}' commit_test:first)
b=$(bin/wharf --root "$fresh" image inspect --format '{{.Id}}' "127.0.0.1:$port/demo/commit_test:first")
[ "$a" = "$b" ] && echo "image ID survived push | pull: $b"

echo; w system df
w system check
echo "demo data root: $WHARF_ROOT"
