import * as dcmjs from 'dcmjs';
import { TRANSFER_SYNTAXES, transferSyntaxName } from './transferSyntax';

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** This project's implementation class UID (2.25 UUID-derived). */
const IMPLEMENTATION_CLASS_UID = '2.25.80302813137786398554742050926734630921';

const { DicomDict, DicomMetaDictionary } = (dcmjs as any).data;

/** A naturalized dataset as a DICOM Part 10 file, its file meta information derived from it, encoded by dcmjs. */
export function writePart10(dataset: Record<string, unknown>, transferSyntax = EXPLICIT_VR_LITTLE_ENDIAN): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'OHIF-CMUNEXT',
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/** Why the Pixel Data of a file in this transfer syntax cannot be read as plain bytes, or undefined when it can. */
export function undecodedPixels(transferSyntaxUID: string): string | undefined {
  // dcmjs undoes deflate for the whole dataset.
  const encoding = TRANSFER_SYNTAXES[transferSyntaxUID]?.encoding;
  if (encoding === 'native' || encoding === 'deflate') return undefined;
  return `its pixel data is stored in ${transferSyntaxName(transferSyntaxUID)}, which this reader does not decode`;
}

/** A DICOM Part 10 file as a naturalized dataset (dcmjs) and its transfer syntax; throws on what is not one. */
export function readPart10(bytes: Uint8Array): { transferSyntaxUID: string; dataset: Record<string, any> } {
  const { DicomMessage } = (dcmjs as any).data;
  const dict = DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { transferSyntaxUID: String(dict.meta?.['00020010']?.Value?.[0] ?? ''), dataset: DicomMetaDictionary.naturalizeDataset(dict.dict) };
}
