/**
 * Copy as cURL for every request shape a definition can have, built by the run's own request
 * builders: what a user pastes into a shell is what the playground sends, with secrets masked.
 */
import { describe, expect, it } from 'vitest';
import { buildCurl, MASK, type CurlInput } from './curl.ts';
import { kwikid } from '../contracts/contracts.ts';
import { awsRekognition, azureFace, facepp, hyperverge, idfy, karza } from '../providers/vendor-presets.ts';
import { checkDefinition } from '../providers/schema.ts';
import type { ProviderContract } from '../providers/types.ts';

const BASE = 'https://api.vendor.example';
const curl = (contract: ProviderContract, credentials: CurlInput['credentials'], includeSecrets = false) => buildCurl({
  contract, baseUrl: BASE, credentials, fileNames: ['selfie 1.jpg', 'id.png'], includeSecrets,
});

function custom(def: object): ProviderContract {
  const checked = checkDefinition({ id: 'acme', label: 'Acme', path: '/v1/compare', verdict: { path: ['match'] }, ...def });
  if (!checked.ok) throw new Error(checked.problems.join('\n'));
  return checked.definition;
}

describe('Copy as cURL: each request shape', () => {
  it('multipart with credential form fields (Face++): files with @, the secret field masked and sent as text', () => {
    const cmd = curl(facepp, { api_key: 'k-public', api_secret: 's-very-secret' });
    expect(cmd).toBe([
      `curl -sS -X POST ${BASE}/facepp/v3/compare`,
      `-F 'image_file1=@selfie 1.jpg'`,
      '-F image_file2=@id.png',
      '-F api_key=k-public',
      `--form-string 'api_secret=${MASK}'`,
    ].join(' \\\n  '));
    expect(curl(facepp, { api_key: 'k-public', api_secret: 's-very-secret' }, true)).toContain('-F api_key=k-public \\\n  -F api_secret=s-very-secret');
  });

  it('JSON with base64 images (Karza): a here-document whose images are read from the files, key masked', () => {
    const cmd = curl(karza, { api_key: 'karza-secret' });
    expect(cmd).not.toContain('karza-secret');
    expect(cmd).toContain(`-H 'x-karza-key: ${MASK}'`);
    expect(cmd).toContain(`-H 'Content-Type: application/json'`);
    expect(cmd).toContain(`--data-binary @- <<JSON\n{"image1B64":"$(base64 < 'selfie 1.jpg' | tr -d '\\n')","image2B64":"$(base64 < id.png | tr -d '\\n')"}\nJSON`);
  });

  it('a per-call {{uuid}} (IDfy, HyperVerge) is one shell variable set before the call, as the run sends one per call', () => {
    const idfyCmd = curl(idfy, { account_id: 'acc', api_key: 'k' });
    expect(idfyCmd.startsWith('uuid=$(uuidgen)\ncurl ')).toBe(true);
    expect(idfyCmd).toContain('{"task_id":"${uuid}","group_id":"${uuid}"');
    const hv = curl(hyperverge, { app_id: 'app', app_key: 'k' });
    expect(hv).toContain('-H "transactionId: ${uuid}"');
    expect(hv).toContain(`-H 'appKey: ${MASK}'`);
    expect(hv).toContain('-F id=@id.png');
  });

  it('AWS SigV4: curl signs with --aws-sigv4, the secret access key masked; template headers kept', () => {
    const cmd = curl(awsRekognition, { access_key_id: 'AKIA1', secret_access_key: 'aws-secret', session_token: 'sess-tok', region: 'eu-west-1' });
    expect(cmd).not.toMatch(/aws-secret|sess-tok/);
    expect(cmd).toContain('--aws-sigv4 aws:amz:eu-west-1:rekognition');
    expect(cmd).toContain(`--user 'AKIA1:${MASK}'`);
    expect(cmd).toContain(`-H 'X-Amz-Security-Token: ${MASK}'`);
    expect(cmd).toContain(`-H 'X-Amz-Target: RekognitionService.CompareFaces'`);
    // The template names its own Content-Type: the JSON default is not added.
    expect(cmd).toContain(`-H 'Content-Type: application/x-amz-json-1.1'`);
    expect(cmd).not.toContain('application/json');
  });

  it('preparatory steps (Azure): each detect is sent first, its faceId kept with jq, then verify uses them', () => {
    const cmd = curl(azureFace, { api_key: 'az-key' });
    expect(cmd).not.toContain('az-key');
    expect(cmd).toContain(`detect1_answer=$(curl -sS -X POST '${BASE}/face/v1.0/detect?returnFaceId=true'`);
    expect(cmd).toContain(`-H 'Content-Type: application/octet-stream' \\\n  --data-binary '@selfie 1.jpg'\n)`);
    expect(cmd).toContain(`detect1_faceId=$(printf '%s' "$detect1_answer" | jq -r '.[0]["faceId"]')`);
    expect(cmd).toContain('--data-binary @id.png');
    expect(cmd.split('\n').at(-2)).toBe('{"faceId1":"${detect1_faceId}","faceId2":"${detect2_faceId}"}');
  });

  it('urlencoded with a data URL, credentials in the body and a header (a custom definition)', () => {
    const def = custom({
      request: {
        encoding: 'urlencoded',
        fields: [{ name: 'photo', value: '{{image1.dataUrl}}' }, { name: 'doc', value: '{{image2}}' }, { name: 'note', value: 'cost $5 "net"' }],
        headers: [{ name: 'X-Tenant', value: 'team-{{credentials.tenant}}' }],
      },
      credentials: [{ key: 'tenant', label: 'Tenant', secret: false }, { key: 'secret', label: 'Secret', secret: true }],
      authFields: [{ name: 'secret', from: 'secret' }],
    });
    const cmd = curl(def, { tenant: 'blue', secret: 'pw-1' });
    expect(cmd).not.toContain('pw-1');
    expect(cmd).toContain(`-H 'X-Tenant: team-blue'`);
    expect(cmd).toContain(`-H 'Content-Type: application/x-www-form-urlencoded'`);
    expect(cmd).toContain(`--data-urlencode "photo=data:image/jpeg;base64,$(base64 < 'selfie 1.jpg' | tr -d '\\n')"`);
    expect(cmd).toContain(`--data-urlencode "doc=$(base64 < id.png | tr -d '\\n')"`);
    expect(cmd).toContain(`--data-urlencode 'note=cost $5 "net"'`);
    expect(cmd).toContain(`--data-urlencode 'secret=${MASK}'`);
  });

  it('JSON literals are kept from the shell inside the here-document, credentials in the body are masked', () => {
    const def = custom({
      request: { encoding: 'json', json: { img: '{{image1.base64}}', other: '{{image2.base64}}', note: 'a $HOME `cmd` \\ x', n: 3 } },
      credentials: [{ key: 'key', label: 'Key', secret: true }],
      authFields: [{ name: 'key', from: 'key' }],
    });
    const body = curl(def, { key: 'json-secret' }).split('\n').at(-2)!;
    expect(body).toContain('"note":"a \\$HOME \\`cmd\\` \\\\\\\\ x","n":3');
    expect(body).toContain(`"key":"${MASK}"`);
  });

  it('a plain multipart definition (KwikID) is unchanged: token header, files, unique_id', () => {
    expect(buildCurl({ contract: kwikid, baseUrl: BASE, credentials: { token: 't0k' }, uniqueId: 'case-7', fileNames: ['a.jpg', 'b.jpg'], includeSecrets: false })).toBe([
      `curl -sS -X POST ${BASE}/facematch`,
      `-H 'Authorization: Bearer ${MASK}'`,
      '-F image1=@a.jpg',
      '-F image2=@b.jpg',
      '-F unique_id=case-7',
    ].join(' \\\n  '));
  });
});
