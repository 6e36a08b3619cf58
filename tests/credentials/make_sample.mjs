#!/usr/bin/env node
// Issues sample credentials with Digital Bazaar's libraries, to show that
// verify.mjs accepts what DB's own issuer produces and rejects tampering:
//
//   node tests/credentials/make_sample.mjs OUTDIR
//
// Writes into OUTDIR: did.json (did:web:example.test, one Multikey),
// other-did.json (same DID, a different key), status.json (status list with
// bit 7 set), credential.json (index 5: good), revoked.json (index 7),
// foreign-issuer.json (issuer is not the key's controller), and
// prints nothing. Everything is made offline with the bundled contexts.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {BitstringStatusList, createCredential} from
  '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';

const outDir = process.argv[2];
if(!outDir) {
  process.stderr.write('usage: node tests/credentials/make_sample.mjs OUTDIR\n');
  process.exit(2);
}
mkdirSync(outDir, {recursive: true});

const here = path.dirname(new URL(import.meta.url).pathname);
const contextsDir = path.join(here, '..', '..', 'ceengine', 'certificates',
  'contexts');
const index = JSON.parse(readFileSync(path.join(contextsDir, 'index.json')));
const documentLoader = async url => {
  if(index[url]) {
    return {contextUrl: null, documentUrl: url, document:
      JSON.parse(readFileSync(path.join(contextsDir, index[url])))};
  }
  throw new Error(`offline: ${url}`);
};

const DID = 'did:web:example.test';
const STATUS_URL = 'https://example.test/credentials/status/1';

async function didDocumentFor(keyPair) {
  const method = await keyPair.export({publicKey: true, includeContext: false});
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1'
    ],
    id: DID,
    verificationMethod: [method],
    assertionMethod: [method.id],
  };
}

function write(name, value) {
  writeFileSync(path.join(outDir, name), JSON.stringify(value, null, 2) + '\n');
}

const key = await Ed25519Multikey.generate({id: `${DID}#key-1`, controller: DID});
const otherKey = await Ed25519Multikey.generate(
  {id: `${DID}#key-1`, controller: DID});
write('did.json', await didDocumentFor(key));
write('other-did.json', await didDocumentFor(otherKey));

const suite = () => new DataIntegrityProof({
  signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite
});

const list = new BitstringStatusList({length: 131072});
list.setStatus(7, true);
const statusCredential = await createCredential({
  id: STATUS_URL, list, statusPurpose: 'revocation'
});
statusCredential.issuer = DID;
statusCredential.validFrom = '2026-01-01T00:00:00Z';
write('status.json', await vc.issue({
  credential: statusCredential, suite: suite(), documentLoader
}));

function openBadge(index) {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'
    ],
    id: `urn:uuid:6a2b1c3e-0000-4000-8000-00000000000${index}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Certificate of completion: Sample Course',
    issuer: {
      id: DID,
      type: ['Profile'],
      name: 'Example CE Provider',
      url: 'https://example.test/'
    },
    validFrom: '2026-01-02T03:04:05Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [{
        type: 'IdentityObject',
        identityHash: 'learner@example.test',
        identityType: 'emailAddress',
        hashed: false
      }],
      achievement: {
        id: 'https://example.test/courses/sample-course',
        type: ['Achievement'],
        name: 'Sample Course',
        description: 'A two-hour continuing education course.',
        criteria: {narrative: 'Pass the final quiz.'}
      }
    },
    credentialStatus: {
      id: `${STATUS_URL}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(index),
      statusListCredential: STATUS_URL
    }
  };
}

write('credential.json', await vc.issue(
  {credential: openBadge(5), suite: suite(), documentLoader}));
write('revoked.json', await vc.issue(
  {credential: openBadge(7), suite: suite(), documentLoader}));
// signed with the right key, but naming someone else as issuer
const foreign = openBadge(5);
foreign.issuer.id = 'did:web:other.test';
write('foreign-issuer.json', await vc.issue(
  {credential: foreign, suite: suite(), documentLoader}));
