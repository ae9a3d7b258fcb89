/** A co-signer's or rater's name as the viewer may see it (domain/public-name.ts), 匿名住户 when hidden. */
import '$lib/i18n/messages/matters';
import { t } from '$lib/i18n';

export const nameOrAnonymous = (name: string | null) => name ?? t('names.anonymous');
