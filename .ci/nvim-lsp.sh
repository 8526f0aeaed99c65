#!/usr/bin/env bash
# Neovim (headless, built-in LSP client) opens a fixture with routelint as its language
# server and must receive routelint's diagnostic. Usage: nvim-lsp.sh /path/to/routelint
set -euo pipefail
BIN="$1"
cd "$(dirname "$0")/.."
OUT="$(mktemp)"
INIT="$(mktemp --suffix=.lua)"
cat > "$INIT" <<LUA
-- vim.lsp.start_client/buf_attach_client work on Neovim 0.7 (Debian 12) and later.
local client = vim.lsp.start_client({ name = 'routelint', cmd = { '$BIN', 'lsp' }, root_dir = vim.fn.getcwd() })
vim.api.nvim_create_autocmd('BufEnter', {
  pattern = '*',
  callback = function(args) vim.lsp.buf_attach_client(args.buf, client) end,
})
LUA
nvim --headless --clean -u "$INIT" fixtures/onprem-return-propagation-on/terraform/spokes.tf \
  -c "lua local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
      local lines = {}
      for _, d in ipairs(vim.diagnostic.get(0)) do
        table.insert(lines, string.format('%s:%d:%d %s %s', d.source or '', d.lnum + 1, d.col + 1, tostring(d.code), d.message:match('[^\n]*')))
      end
      if not ok then table.insert(lines, 'TIMEOUT') end
      vim.fn.writefile(lines, '$OUT')" \
  -c "qa!" </dev/null >/dev/null 2>&1 || true
cat "$OUT"
grep -q "routelint:35:1 RL001 return path bypasses firewall" "$OUT" || { echo "Neovim did not receive the RL001 diagnostic"; exit 1; }
echo "ok: Neovim's LSP client shows RL001 on spokes.tf:35"
rm -f "$OUT" "$INIT"
