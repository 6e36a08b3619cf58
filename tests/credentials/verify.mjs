#!/usr/bin/env node
// Independent, offline verifier for ceengine's Open Badges 3.0 credentials,
// built only on Digital Bazaar's libraries (not on any ceengine code).
//
//   node tests/credentials/verify.mjs --contexts ceengine/certificates/contexts \
//     --did DIDDOC.json [--status-list URL=FILE]... [--context URL=FILE]...
//     [--now ISO-DATETIME] CREDENTIAL.json
// (--context serves one more JSON-LD context, such as the sponsor's extension
// context, which lives at an address of the sponsor's own.)
//
// Prints one JSON object on stdout:
//   {"verified": bool, "proofVerified": bool, "revoked": bool|null, "errors": [...]}
// "verified" is @digitalbazaar/vc's verdict (shape, dates, proof, proof purpose
// and, when the credential has a credentialStatus, that its status list
// credential loads and verifies); "revoked" is the revocation bit (null when the
// credential has no status or it could not be read).
// Exit status: 0 when verified and not revoked, 1 otherwise, 2 on usage error.
//
// The document loader never touches the network: contexts come from
// index.json in the --contexts directory, did:web URLs from the --did file,
// status list credentials from the --status-list files; anything else throws.
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';

const USAGE = 'usage: node tests/credentials/verify.mjs --contexts DIR ' +
  '--did DIDDOC.json [--status-list URL=FILE]... [--context URL=FILE]... ' +
  '[--now ISO] CREDENTIAL.json';

function usage(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function readJson(file, what) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch(e) {
    usage(`cannot read ${what} ${file}: ${e.message}`);
  }
}

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        contexts: {type: 'string'},
        did: {type: 'string'},
        'status-list': {type: 'string', multiple: true, default: []},
        context: {type: 'string', multiple: true, default: []},
        now: {type: 'string'},
        help: {type: 'boolean', short: 'h'},
      },
    });
  } catch(e) {
    usage(e.message);
  }
  const {values, positionals} = parsed;
  if(values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if(!values.contexts) {
    usage('--contexts is required');
  }
  if(!values.did) {
    usage('--did is required');
  }
  if(positionals.length !== 1) {
    usage('exactly one CREDENTIAL.json is required');
  }
  if(values.now !== undefined && isNaN(new Date(values.now))) {
    usage(`--now is not a date: ${values.now}`);
  }
  const extraContexts = new Map();
  for(const pair of values.context) {
    const at = pair.lastIndexOf('=');
    if(at <= 0 || at === pair.length - 1) {
      usage(`--context wants URL=FILE, got ${pair}`);
    }
    extraContexts.set(pair.slice(0, at), readJson(pair.slice(at + 1), 'context'));
  }
  const statusLists = new Map();
  for(const pair of values['status-list']) {
    const at = pair.lastIndexOf('=');
    if(at <= 0 || at === pair.length - 1) {
      usage(`--status-list wants URL=FILE, got ${pair}`);
    }
    const url = pair.slice(0, at);
    statusLists.set(url, readJson(pair.slice(at + 1), 'status list'));
  }
  return {
    contextsDir: values.contexts,
    didDocument: readJson(values.did, 'DID document'),
    statusLists,
    extraContexts,
    now: values.now,
    credential: readJson(positionals[0], 'credential'),
  };
}

function loadContexts(dir) {
  const index = readJson(path.join(dir, 'index.json'), 'context index');
  const contexts = new Map();
  for(const [url, file] of Object.entries(index)) {
    contexts.set(url, readJson(path.join(dir, file), `context for ${url}`));
  }
  return contexts;
}

// The verification methods a DID document declares, wherever they are embedded.
function* embeddedMethods(didDocument) {
  const relationships = [
    'verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
  ];
  for(const name of relationships) {
    for(const entry of [].concat(didDocument[name] ?? [])) {
      if(entry && typeof entry === 'object') {
        yield entry;
      }
    }
  }
}

function makeDocumentLoader({contexts, didDocument, statusLists}) {
  const did = didDocument.id;
  const found = (url, document) => ({contextUrl: null, documentUrl: url, document});
  return async function documentLoader(url) {
    if(contexts.has(url)) {
      return found(url, structuredClone(contexts.get(url)));
    }
    if(statusLists.has(url)) {
      return found(url, structuredClone(statusLists.get(url)));
    }
    if(typeof url === 'string' && url.startsWith('did:web:')) {
      const [base, fragment] = url.split('#', 2);
      if(base !== did) {
        throw new Error(
          `offline loader: ${url} is not in the given DID document (${did})`);
      }
      if(fragment === undefined) {
        return found(url, structuredClone(didDocument));
      }
      for(const method of embeddedMethods(didDocument)) {
        // a method id may be absolute or relative to the DID
        if(method.id === url || `${did}${method.id}` === url) {
          // DB's libraries want a self-contained JSON-LD node; give it the
          // DID document's contexts (they must include the Multikey context)
          return found(url, {
            '@context': structuredClone(didDocument['@context']),
            ...structuredClone(method),
          });
        }
      }
      throw new Error(
        `offline loader: no verification method ${url} in the DID document`);
    }
    throw new Error(`offline loader: refusing to load ${url} (no network)`);
  };
}

// Error messages from an error, a serialized error, or a list of either,
// following .errors and .cause.
function messages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  if(Array.isArray(error)) {
    return error.flatMap(e => messages(e, seen));
  }
  const out = [];
  const nested = Array.isArray(error.errors) ? error.errors : [];
  if(error.message && !(error.name === 'VerificationError' && nested.length)) {
    out.push(error.name && error.name !== 'Error' ?
      `${error.name}: ${error.message}` : error.message);
  }
  out.push(...messages(nested, seen));
  // a cause whose text the message already quotes adds nothing
  const said = out.join(' ');
  out.push(...messages(error.cause, seen).filter(m => !said.includes(m)));
  return out;
}

async function main() {
  const options = parseCommandLine(process.argv.slice(2));
  const documentLoader = makeDocumentLoader({
    contexts: new Map([
      ...loadContexts(options.contextsDir), ...options.extraContexts]),
    didDocument: options.didDocument,
    statusLists: options.statusLists,
  });
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const checkStatus = statusOptions => checkBitstringStatus({
    ...statusOptions,
    // the status list credential must itself verify and share the issuer
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });

  const result = await vc.verifyCredential({
    credential: options.credential,
    suite,
    documentLoader,
    checkStatus,
    ...(options.now ? {now: options.now} : {}),
  });

  const errors = [];
  const proofResults = result.results ?? [];
  for(const r of proofResults) {
    errors.push(...messages(r.error));
    if(r.purposeResult && !r.purposeResult.valid) {
      errors.push(...messages(r.purposeResult.error));
    }
  }
  if(!proofResults.some(r => r.error)) {
    errors.push(...messages(result.error));
  }
  const proofVerified = proofResults.length > 0 &&
    proofResults.some(r => r.verified === true && r.proof);

  let revoked = null;
  const {statusResult} = result;
  if(statusResult) {
    if(statusResult.verified) {
      const revocations = statusResult.results.filter(
        r => r.credentialStatus.statusPurpose === 'revocation');
      if(revocations.length > 0) {
        revoked = revocations.some(r => r.status === true);
        for(const r of revocations.filter(r => r.status === true)) {
          const cs = r.credentialStatus;
          errors.push(`revoked: bit ${cs.statusListIndex} is set in ` +
            `${cs.statusListCredential}`);
        }
      }
    } else {
      errors.push(...messages(statusResult.error).map(m => `status: ${m}`));
    }
  }

  const verified = result.verified === true;
  if(!verified && errors.length === 0) {
    errors.push('not verified (no error reported)');
  }
  process.stdout.write(JSON.stringify({
    verified, proofVerified, revoked, errors: [...new Set(errors)]
  }) + '\n');
  process.exitCode = verified && revoked !== true ? 0 : 1;
}

main().catch(error => {
  process.stdout.write(JSON.stringify({
    verified: false, proofVerified: false, revoked: null,
    errors: [`verifier crashed: ${error?.stack ?? error}`]
  }) + '\n');
  process.exitCode = 1;
});
