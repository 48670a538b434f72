// dcmjs ships no type declarations; the parts the project uses are typed where they are called.
declare module 'dcmjs';
