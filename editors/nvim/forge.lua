-- forge lsp for Neovim's built-in client (0.7+): `dofile('/path/to/forge/editors/nvim/forge.lua')`.
-- One server per template folder; JSON files only when they are legacy templates (top-level
-- `builders`). `vim.g.forge_cmd` overrides the command (default: `forge` on the PATH).
local clients = {}
local group = vim.api.nvim_create_augroup('forge_lsp', { clear = true })
vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
  group = group,
  pattern = { '*.pkr.hcl', '*.pkrvars.hcl', '*.pkr.json', '*.pkrvars.json', '*.pkr.toml', '*.pkrvars.toml', '*.json' },
  callback = function(args)
    local name = vim.api.nvim_buf_get_name(args.buf)
    if name:match('%.json$') and not name:match('%.pkr%.json$') and not name:match('%.pkrvars%.json$') then
      local head = table.concat(vim.api.nvim_buf_get_lines(args.buf, 0, 200, false), '\n')
      if not head:find('"builders"') then return end
    end
    local root = vim.fn.fnamemodify(name, ':p:h')
    local id = clients[root]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client({ name = 'forge', cmd = { vim.g.forge_cmd or 'forge', 'lsp' }, root_dir = root })
      clients[root] = id
    end
    if id then vim.lsp.buf_attach_client(args.buf, id) end
  end,
})
