// Starts `forge lsp` for Packer templates: `*.pkr.hcl`, `*.pkrvars.hcl`, `*.pkr.json`,
// `*.pkrvars.json`, `*.pkr.toml`, `*.pkrvars.toml` and legacy JSON templates (the server
// ignores JSON files without top-level `builders`).
import { ExtensionContext, workspace } from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const command = workspace.getConfiguration('forge').get<string>('path', 'forge');
  const server: ServerOptions = { command, args: ['lsp'] };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'packer' },
      { scheme: 'file', language: 'packer-json' },
      { scheme: 'file', language: 'packer-toml' },
      { scheme: 'file', language: 'json', pattern: '**/*.json' },
    ],
  };
  client = new LanguageClient('forge', 'forge lsp', server, options);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
