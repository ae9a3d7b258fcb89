export * from './doc-names';
export * from './proposal-doc';
export * from './community-doc';
export * from './households-doc';
export * from './index-entry';
export * from './topic-doc';
