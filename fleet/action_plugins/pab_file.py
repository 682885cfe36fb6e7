# Copies one file to (direction=put) or from (direction=get) a host through the connection's own
# transfer (sftp, scp or dd over ssh), so the host needs nothing but a POSIX shell: Ansible's copy
# and fetch run Python there. Either way the copy is checked with sha256sum on both ends.
from __future__ import annotations

import hashlib
import os
import shlex

from ansible.plugins.action import ActionBase


def _local_sum(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _VALID_ARGS = frozenset(('direction', 'src', 'dest'))

    def _shell(self, cmd):
        # As the login user (no become) and without a tty, so stdout is exactly what ran.
        return self._low_level_execute_command(cmd, sudoable=False)

    def _remote_sum(self, path):
        r = self._shell('sha256sum %s 2>/dev/null' % shlex.quote(path))
        words = r.get('stdout', '').split()
        return words[0] if r.get('rc') == 0 and words else None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        direction, src, dest = args.get('direction'), args.get('src'), args.get('dest')
        if direction not in ('put', 'get') or not src or not dest:
            return dict(result, failed=True, msg='pab_file needs direction (put or get), src and dest')
        if self._play_context.check_mode:
            return dict(result, skipped=True)
        result.update(src=src, dest=dest, changed=False)

        if direction == 'put':
            if not os.path.isfile(src):
                return dict(result, failed=True, msg='no such file on the controller: %s' % src)
            want = _local_sum(src)
            if self._remote_sum(dest) == want:
                return dict(result, checksum=want, size=os.path.getsize(src))
            self._shell('mkdir -p %s' % shlex.quote(os.path.dirname(dest) or '.'))
            self._connection.put_file(src, dest)
            got = self._remote_sum(dest)
            if got != want:
                return dict(result, failed=True, msg='%s arrived damaged on the host (sha256 %s, sent %s)' % (dest, got, want))
            return dict(result, changed=True, checksum=want, size=os.path.getsize(src))

        want = self._remote_sum(src)
        if want is None:
            return dict(result, failed=True, msg='no such file on the host: %s' % src)
        os.makedirs(os.path.dirname(dest) or '.', exist_ok=True)
        if not (os.path.isfile(dest) and _local_sum(dest) == want):
            self._connection.fetch_file(src, dest)
            result['changed'] = True
        got = _local_sum(dest)
        if got != want:
            return dict(result, failed=True, msg='%s arrived damaged (sha256 %s, host has %s)' % (dest, got, want))
        return dict(result, checksum=want, size=os.path.getsize(dest))
